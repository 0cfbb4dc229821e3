import type { SchemaMap, SchemaOutput, SchemaInput } from '../schema/validate.ts';
import { assertName } from '../topic/defineTopic.ts';
import type { Rejection } from './reject.ts';

/** A command of an entity whose commands are `C`: `{ type, data }`, discriminated by `type`. */
export type EntityCommand<C extends SchemaMap> = {
  [K in keyof C & string]: { readonly type: K; readonly data: SchemaOutput<C[K]> };
}[keyof C & string];

/** What callers pass to execute a command (before validation and defaults). */
export type CommandInput<C extends SchemaMap> = {
  [K in keyof C & string]: { readonly type: K; readonly data: SchemaInput<C[K]> };
}[keyof C & string];

/** An event of an entity whose events are `E`. */
export type EntityEvent<E extends SchemaMap> = {
  [K in keyof E & string]: { readonly type: K; readonly data: SchemaOutput<E[K]> };
}[keyof E & string];

/** What `decide` may return: events (none, one or many) or a rejection. */
export type Decision<E extends SchemaMap, R extends string> =
  EntityEvent<E> | ReadonlyArray<EntityEvent<E>> | Rejection<R> | undefined;

/** Facts about the command being decided, for `decide` to use instead of reading clocks or globals. */
export interface DecideContext {
  readonly entityId: string;
  readonly commandId: string;
  /** The runtime clock's time when the command was received. */
  readonly now: Date;
}

/** An event-sourced entity: plain data and functions. */
export interface EntityDefinition<
  S = unknown,
  C extends SchemaMap = SchemaMap,
  E extends SchemaMap = SchemaMap,
  R extends string = string,
> {
  readonly kind: 'entity';
  readonly name: string;
  readonly commands: C;
  readonly events: E;
  /** Codes this entity rejects with; used for types and documentation. */
  readonly rejections: ReadonlyArray<R>;
  initialState(): S;
  decide(state: S, command: EntityCommand<C>, context: DecideContext): Decision<E, R>;
  evolve(state: S, event: EntityEvent<E>): S;
}

export interface DefineEntityOptions<S, C extends SchemaMap, E extends SchemaMap, R extends string> {
  name: string;
  /** Command type → schema of its data. Commands are validated before `decide` sees them. */
  commands: C;
  /** Event type → schema of its data. Events are validated when a consumer reads them. */
  events: E;
  /** @default [] */
  rejections?: ReadonlyArray<R>;
  initialState: () => S;
  /** Pure: returns the events that the command causes, or a rejection. Must not mutate `state`. */
  decide: (state: S, command: EntityCommand<C>, context: DecideContext) => Decision<E, R>;
  /** Pure: the state after `event`. Must not mutate `state`. */
  evolve: (state: S, event: EntityEvent<E>) => S;
}

/**
 * Declares an event-sourced entity.
 *
 * @example
 * const wallet = defineEntity({
 *   name: 'wallet',
 *   initialState: () => ({ balance: 0 }),
 *   commands: { Charge: z.object({ amount: z.number().positive() }) },
 *   events: { WalletCharged: z.object({ amount: z.number() }) },
 *   rejections: ['InsufficientFunds'],
 *   decide: (state, cmd) =>
 *     state.balance < cmd.data.amount
 *       ? reject('InsufficientFunds', { balance: state.balance })
 *       : { type: 'WalletCharged', data: { amount: cmd.data.amount } },
 *   evolve: (state, event) => ({ balance: state.balance - event.data.amount }),
 * });
 */
export function defineEntity<S, C extends SchemaMap, E extends SchemaMap, R extends string = never>(
  options: DefineEntityOptions<S, C, E, R>,
): EntityDefinition<S, C, E, R> {
  assertName(options.name, 'entity');
  if (Object.keys(options.commands).length === 0)
    throw new TypeError(`entity ${options.name}: declare at least one command`);
  return Object.freeze({
    kind: 'entity',
    name: options.name,
    commands: options.commands,
    events: options.events,
    rejections: options.rejections ?? [],
    initialState: options.initialState,
    decide: options.decide,
    evolve: options.evolve,
  });
}

/** Any entity definition, whatever its types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEntity = EntityDefinition<any, any, any, any>;

/** The event union of an entity: `EventOf<typeof wallet>`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventOf<T> = T extends EntityDefinition<any, any, infer E, any> ? EntityEvent<E> : never;

/** The state type of an entity: `StateOf<typeof wallet>`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StateOf<T> = T extends EntityDefinition<infer S, any, any, any> ? S : never;

/** The command union of an entity: `CommandOf<typeof wallet>`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandOf<T> = T extends EntityDefinition<any, infer C, any, any> ? EntityCommand<C> : never;
