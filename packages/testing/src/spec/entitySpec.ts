import assert from 'node:assert/strict';
import {
  decideCommand,
  foldEvents,
  newMessageId,
  type CommandInput,
  type EntityDefinition,
  type EntityEvent,
  type SchemaMap,
} from '@parley/core';

/**
 * Given/When/Then for entities: given past events, when a command is decided, then these events (or this
 * rejection, or this state). Assertions throw `AssertionError`, so it works with any test runner. Schemas are
 * not applied: the spec exercises `decide` and `evolve`.
 *
 * @example
 * entitySpec(wallet)
 *   .given([{ type: 'WalletCredited', data: { amount: 10 } }])
 *   .when({ type: 'Charge', data: { amount: 15 } })
 *   .thenRejects('InsufficientFunds');
 */
export function entitySpec<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
  entity: EntityDefinition<S, C, E, R>,
) {
  return {
    given(events: ReadonlyArray<EntityEvent<E>> = []) {
      return {
        when(command: CommandInput<C>, options: { entityId?: string; now?: Date } = {}) {
          const run = () => {
            const before = foldEvents(
              entity as never,
              { state: entity.initialState(), version: 0 },
              events.map((event, index) => ({ ...event, version: index + 1 })),
            );
            return decideCommand(entity as never, before, command, {
              entityId: options.entityId ?? 'spec',
              commandId: 'spec-command',
              now: (options.now ?? new Date(0)).getTime(),
              metadata: {},
              eventId: () => newMessageId(),
            });
          };
          return {
            /** Asserts the command is accepted with exactly these events. */
            then(expected: ReadonlyArray<EntityEvent<E>>): void {
              const decided = run();
              if (decided.status === 'rejected') {
                assert.fail(
                  `expected events, got rejection ${decided.rejection.code}: ${decided.rejection.message}`,
                );
              }
              assert.deepEqual(decided.domainEvents, expected);
            },
            /** Asserts the command is rejected with `code` (and, when given, these details). */
            thenRejects(code: R, details?: Record<string, unknown>): void {
              const decided = run();
              if (decided.status === 'accepted') {
                assert.fail(`expected rejection ${code}, got events ${JSON.stringify(decided.domainEvents)}`);
              }
              assert.equal(decided.rejection.code, code);
              if (details !== undefined) assert.deepEqual(decided.rejection.details, details);
            },
            /** Asserts the state after the command's events. */
            thenState(expected: S): void {
              const decided = run();
              if (decided.status === 'rejected')
                assert.fail(`expected a state, got rejection ${decided.rejection.code}`);
              assert.deepEqual(decided.after.state, expected);
            },
          };
        },
      };
    },
  };
}
