import assert from 'node:assert/strict';
import {
  decideCommand,
  foldEvents,
  newMessageId,
  validate,
  type CommandInput,
  type EntityDefinition,
  type EntityEvent,
  type SchemaMap,
} from '@parley/core';

export interface EntitySpecOptions {
  /**
   * Check the given events, every command and every event decided against the entity's schemas, as a service
   * would (commands) or as its readers rely on (events). The schemas must validate synchronously (zod does).
   * @default false: the spec exercises `decide` and `evolve` alone
   */
  readonly schemas?: boolean;
}

/** When a command is decided: an entity id and a time for `decide`. */
export interface WhenOptions {
  readonly entityId?: string;
  readonly now?: Date;
}

/** The outcome assertions, and `when` to decide one more command after this one. */
export interface EntityScenario<S, C extends SchemaMap, E extends SchemaMap, R extends string> {
  /**
   * Decides another command on the state this one leaves. Every command before the last must be accepted; the
   * assertions are about the last.
   */
  when(command: CommandInput<C>, options?: WhenOptions): EntityScenario<S, C, E, R>;
  /** Asserts the last command is accepted with exactly these events. */
  then(expected: ReadonlyArray<EntityEvent<E>>): void;
  /** Asserts the last command is rejected with `code` (and, when given, these details). */
  thenRejects(code: R, details?: Record<string, unknown>): void;
  /** Asserts the state after the last command's events. */
  thenState(expected: S): void;
}

/**
 * Given/When/Then for entities: given past events, when commands are decided, then these events (or this
 * rejection, or this state). Assertions throw `AssertionError`, so it works with any test runner.
 *
 * @example
 * entitySpec(wallet)
 *   .given([{ type: 'WalletCredited', data: { amount: 10 } }])
 *   .when({ type: 'Charge', data: { amount: 4 } })
 *   .when({ type: 'Charge', data: { amount: 7 } })
 *   .thenRejects('InsufficientFunds');
 */
export function entitySpec<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
  entity: EntityDefinition<S, C, E, R>,
  options: EntitySpecOptions = {},
) {
  const check = (schemas: SchemaMap, what: string, message: { type: string; data?: unknown }): void => {
    if (options.schemas !== true) return;
    const schema = Object.hasOwn(schemas, message.type) ? schemas[message.type] : undefined;
    if (schema === undefined) assert.fail(`${entity.name} has no ${what} type ${message.type}`);
    let result: unknown;
    try {
      result = validate(schema, message.data, () => `${entity.name} ${what} ${message.type}`);
    } catch (error) {
      assert.fail(error instanceof Error ? error.message : String(error));
    }
    if (result instanceof Promise) {
      throw new TypeError(
        `entitySpec checks schemas synchronously; the ${what} ${message.type} schema is async`,
      );
    }
  };

  return {
    given(events: ReadonlyArray<EntityEvent<E>> = []) {
      const scenario = (
        steps: ReadonlyArray<{ command: CommandInput<C>; options: WhenOptions }>,
      ): EntityScenario<S, C, E, R> => {
        const run = () => {
          for (const event of events) check(entity.events, 'event', event);
          let snapshot = foldEvents(
            entity as never,
            { state: entity.initialState(), version: 0 },
            events.map((event, index) => ({ ...event, version: index + 1 })),
          );
          for (const [index, { command, options: when }] of steps.entries()) {
            check(entity.commands, 'command', command);
            const decided = decideCommand(entity as never, snapshot, command, {
              entityId: when.entityId ?? 'spec',
              commandId: `spec-command-${index + 1}`,
              now: (when.now ?? new Date(0)).getTime(),
              metadata: {},
              eventId: () => newMessageId(),
            });
            if (index === steps.length - 1) return decided;
            if (decided.status === 'rejected') {
              assert.fail(
                `command ${index + 1} (${command.type}) was rejected with ${decided.rejection.code}; only the last may be`,
              );
            }
            for (const event of decided.domainEvents) check(entity.events, 'event', event);
            snapshot = decided.after;
          }
          throw new Error('unreachable: a scenario has a command');
        };
        return {
          when: (command, when = {}) => scenario([...steps, { command, options: when }]),
          then(expected) {
            const decided = run();
            if (decided.status === 'rejected') {
              assert.fail(
                `expected events, got rejection ${decided.rejection.code}: ${decided.rejection.message}`,
              );
            }
            for (const event of decided.domainEvents) check(entity.events, 'event', event);
            assert.deepEqual(decided.domainEvents, expected);
          },
          thenRejects(code, details) {
            const decided = run();
            if (decided.status === 'accepted') {
              assert.fail(`expected rejection ${code}, got events ${JSON.stringify(decided.domainEvents)}`);
            }
            assert.equal(decided.rejection.code, code);
            if (details !== undefined) assert.deepEqual(decided.rejection.details, details);
          },
          thenState(expected) {
            const decided = run();
            if (decided.status === 'rejected')
              assert.fail(`expected a state, got rejection ${decided.rejection.code}`);
            for (const event of decided.domainEvents) check(entity.events, 'event', event);
            assert.deepEqual(decided.after.state, expected);
          },
        };
      };
      return {
        when: (command: CommandInput<C>, when: WhenOptions = {}) => scenario([{ command, options: when }]),
      };
    },
  };
}
