import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createAdmin,
  isParleyError,
  schemaRegistry,
  type Admin,
  type Bus,
  type DeadLetter,
  type Store,
} from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER, parkOrders } from './fixtures/parkOrders.ts';
import { orders } from './fixtures/shopApp.ts';

// The admin API as the CLI, the console's routes and scripts in plain JavaScript call it, over a real SQLite store
// holding parked dead letters: whatever they pass, a bad argument is refused with a Parley error that names it
// (never a TypeError from inside a store), and nothing in the store changes.

/** Values a caller might pass where a string, a number or an object is expected. */
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '__proto__',
    'constructor',
    'toString',
    "' OR 1=1 --",
    '%',
    '_',
    '\\',
    '*',
    '../../etc/passwd',
    'x'.repeat(5000),
    '2025-13-45T99:99:99Z',
    'parked',
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, -0, 0, 1.5, 2 ** 53, Number.MAX_VALUE),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.date(),
);

const FILTER_FIELDS = [
  'consumer',
  'type',
  'key',
  'status',
  'reason',
  'error',
  'since',
  'until',
  'limit',
  'after',
];

/**
 * A hostile value that is no valid filter without a consumer: `{}` (or `{ limit: 5 }`) is a bulk operation's way
 * of saying "every dead letter", which is no bad input.
 */
const hostileTarget = hostile.filter(
  (v) =>
    typeof v !== 'object' ||
    v === null ||
    Object.getPrototypeOf(v) !== Object.prototype ||
    'consumer' in v ||
    !Object.keys(v).every((k) => FILTER_FIELDS.includes(k)),
);

/** A string that names no consumer of the store (the fixture's is `order-mailer`). */
const otherConsumer = hostile.filter((v) => v !== CONSUMER);

/** A dead-letter filter with hostile fields; its consumer is never the fixture's, so it matches nothing. */
const filter = fc.oneof(
  { weight: 1, arbitrary: hostileTarget },
  {
    weight: 6,
    arbitrary: fc.record(
      {
        consumer: otherConsumer,
        type: fc.oneof(hostile, fc.constant('OrderPlaced')),
        key: fc.oneof(hostile, fc.constant('o-bad')),
        status: fc.oneof(hostile, fc.constantFrom('parked', ['parked', 'retrying'], ['parked', 'bogus'], [])),
        reason: fc.oneof(hostile, fc.constantFrom('failed', 'invalid')),
        error: hostile,
        since: fc.oneof(hostile, fc.constantFrom('2020-01-01T00:00:00Z', '2020-01-01')),
        until: hostile,
        limit: fc.oneof(hostile, fc.constantFrom(0, 1, 100)),
        after: hostile,
        consumr: hostile,
      },
      { requiredKeys: ['consumer'] },
    ),
  },
);

const actor = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ by: 'fuzz' }) },
  {
    weight: 3,
    arbitrary: fc.record(
      { by: hostile, reason: hostile, dryRun: hostile, extra: hostile },
      { requiredKeys: ['by'] },
    ),
  },
  { weight: 1, arbitrary: hostile },
);

/** Every call an operator can make, with hostile arguments; `real` is an id of a parked dead letter. */
function call(real: ReadonlyArray<string>) {
  const id = fc.oneof(hostile, fc.constantFrom(...real));
  return fc.oneof(
    fc.tuple(fc.constant('deadLetters.list'), filter),
    fc.tuple(fc.constant('deadLetters.show'), hostile),
    fc.tuple(fc.constant('deadLetters.redrive'), fc.oneof(hostileTarget, filter), actor),
    fc.tuple(fc.constant('deadLetters.discard'), fc.oneof(hostileTarget, filter), actor),
    fc.tuple(fc.constant('deadLetters.edit'), id, fc.oneof(hostile, fc.jsonValue()), actor),
    fc.tuple(fc.constant('deadLetters.skipHead'), otherConsumer, hostile, actor),
    fc.tuple(fc.constant('outbox.list'), hostile),
    fc.tuple(
      fc.constant('outbox.list'),
      fc.record({ status: hostile, topic: hostile, after: hostile, limit: hostile }, { requiredKeys: [] }),
    ),
    fc.tuple(fc.constant('outbox.show'), hostile),
    fc.tuple(fc.constant('outbox.discard'), hostile, actor),
    fc.tuple(fc.constant('outbox.retry'), hostile, actor),
    fc.tuple(fc.constant('workflows.list'), hostile),
    fc.tuple(
      fc.constant('workflows.list'),
      fc.record({ workflow: hostile, status: hostile, limit: hostile, after: hostile }, { requiredKeys: [] }),
    ),
    fc.tuple(fc.constant('workflows.show'), hostile, hostile),
    fc.tuple(fc.constant('workflows.cancel'), hostile, hostile, actor),
    fc.tuple(fc.constant('workflows.resume'), hostile, hostile, actor),
    fc.tuple(fc.constant('workflows.retry'), hostile, hostile, actor),
    fc.tuple(fc.constant('consumers.history'), hostile),
    fc.tuple(
      fc.constant('consumers.history'),
      fc.record({ consumer: hostile, sinceMs: hostile }, { requiredKeys: [] }),
    ),
    fc.tuple(fc.constant('consumers.pause'), fc.constant(''), actor),
    fc.tuple(fc.constant('consumers.pause'), fc.oneof(fc.integer(), fc.constant(null), fc.object()), actor),
    fc.tuple(fc.constant('consumers.resume'), fc.oneof(fc.constant('a\u0000'), fc.bigInt()), actor),
    fc.tuple(fc.constant('trace'), hostile),
  );
}

function invoke(admin: Admin, [name, ...args]: readonly [string, ...unknown[]]): Promise<unknown> {
  type Calls = Record<string, (this: void, ...a: unknown[]) => Promise<unknown>>;
  const [group, method] = name.split('.') as [string, string | undefined];
  const api = admin as unknown as Record<string, unknown>;
  const target = (method === undefined ? api : api[group]) as Calls;
  return target[method ?? group]!(...args);
}

/** Errors a refused call may raise: Parley's own, each naming what it refuses. */
const EXPECTED = new Set([
  'INVALID_ARGUMENT',
  'INVALID',
  'NOT_FOUND',
  'NOT_EDITABLE',
  'NOT_REDRIVABLE',
  'NOT_DISCARDABLE',
  'NOT_RETRYABLE',
  'NOT_RESUMABLE',
]);

describe('the admin API, whatever it is passed', () => {
  let dir: string;
  let store: Store;
  let bus: Bus;
  let admin: Admin;
  let parked: DeadLetter[];

  /** What an operator's call could change: dead letters (with versions), outbox rows, workflow runs. */
  const snapshot = async () =>
    JSON.stringify([
      await store.listDeadLetters({
        status: ['parked', 'retrying', 'redriven', 'discarded', 'skipped', 'escalated'],
        limit: 1000,
      }),
      await store.listOutbox({ status: ['pending', 'failed', 'discarded'], limit: 1000 }),
      await store.findDocuments('parley-workflow-runs', { limit: 1000 }),
    ]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-admin-fuzz-'));
    const { url } = await parkOrders(dir);
    bus = createSqliteBus(url);
    store = createSqliteStore(url, { bus: bus as never });
    admin = createAdmin({ store, bus, schemas: schemaRegistry({ topics: [orders] }) });
    parked = await admin.deadLetters.list();
  });

  afterAll(async () => {
    await store?.close();
    await bus?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad arguments with a Parley error naming them, and changes nothing', async () => {
    expect(parked.length).toBeGreaterThan(0);
    const before = await snapshot();
    const schema = orders.messages.OrderPlaced;
    await fc.assert(
      fc.asyncProperty(
        call(parked.map((d) => d.id)).filter(
          // An edit that the schema accepts, by a valid actor, would change the store: that is no bad input.
          ([name, , payload]) => name !== 'deadLetters.edit' || !schema.safeParse(payload).success,
        ),
        async (args) => {
          let result: unknown;
          try {
            result = await invoke(admin, args as readonly [string, ...unknown[]]);
          } catch (error) {
            expect(isParleyError(error), `${args[0]}: ${String(error)}`).toBe(true);
            const code = (error as { code: string }).code;
            expect(EXPECTED.has(code), `${args[0]}: ${code} ${String(error)}`).toBe(true);
            if (code === 'INVALID_ARGUMENT') {
              const { argument } = (error as { details: { argument: string } }).details;
              expect((error as Error).message.startsWith(argument), (error as Error).message).toBe(true);
            }
          }
          // A bulk operation that went through matched nothing: its filter names no consumer of this store.
          if (typeof result === 'object' && result !== null && 'changed' in result) {
            expect((result as { changed: unknown[] }).changed).toEqual([]);
          }
          expect(await snapshot(), `${args[0]} changed the store`).toBe(before);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('a filter field with a typo is refused instead of widening a bulk redrive to every dead letter', async () => {
    const before = await snapshot();
    await expect(
      admin.deadLetters.redrive({ consumr: 'someone-else' } as never, { by: 'fuzz' }),
    ).rejects.toThrow(/filter has an unknown field "consumr"/);
    await expect(admin.deadLetters.discard(null as never, { by: 'fuzz' })).rejects.toThrow(
      /filter must be an object \(or an id\)/,
    );
    expect(await snapshot()).toBe(before);
  });

  it('an explicitly undefined status keeps the default statuses of a bulk operation', async () => {
    const result = await admin.deadLetters.discard(
      { consumer: CONSUMER, key: 'o-bad', status: undefined } as never,
      { by: 'fuzz', reason: 'test' } as never,
    );
    expect(result.changed.map((d) => d.message.key)).toEqual(['o-bad']);
    // Discarded now: it matches the default statuses (parked, retrying) no more.
    const again = await admin.deadLetters.discard({ consumer: CONSUMER, key: 'o-bad' }, { by: 'fuzz' });
    expect(again.changed).toEqual([]);
  });
});
