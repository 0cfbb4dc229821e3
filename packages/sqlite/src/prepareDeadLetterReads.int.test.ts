import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  emptyChange,
  type Change,
  type DeadLetter,
  type DeadLetterFilter,
  type ParkedMessage,
  type Store,
} from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from './createSqliteStore.ts';

let dir: string;
const opened: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function openStore(): Store {
  const store = createSqliteStore(`sqlite:${path.join(dir, 'app.db')}`);
  opened.push(store);
  return store;
}

function change(parts: Partial<Change>): Change {
  return { ...emptyChange, ...parts };
}

function deadLetter(
  id: string,
  fields: Partial<Omit<DeadLetter, 'message'>> & { message?: Partial<ParkedMessage> } = {},
): DeadLetter {
  const { message, ...rest } = fields;
  return {
    id,
    consumer: 'billing',
    message: {
      id: `m-${id}`,
      type: 'OrderPlaced',
      key: 'k1',
      payload: '{"amount":10}',
      headers: { correlationId: 'corr-1' },
      occurredAt: '2025-01-01T00:00:00.000Z',
      source: 'orders',
      partition: 0,
      position: 1,
      ...message,
    },
    status: 'parked',
    reason: 'failed',
    attempts: 1,
    error: { name: 'Error', message: 'boom' },
    firstFailedAt: '2025-01-01T00:00:00.000Z',
    lastFailedAt: '2025-01-01T00:00:00.000Z',
    action: null,
    dueAt: null,
    edits: [],
    version: 1,
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...rest,
  };
}

describe('dead letters', () => {
  it('inserts, replaces and deletes whole records', async () => {
    const store = openStore();
    const first = deadLetter('dl-1', {
      message: { key: 'order-7', partition: 3, position: 42, headers: { correlationId: 'c', custom: 'x' } },
      status: 'retrying',
      reason: 'invalid',
      attempts: 2,
      error: { name: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at handler', code: 'E_BAD' },
      firstFailedAt: '2025-01-01T00:00:00.000Z',
      lastFailedAt: '2025-01-01T00:05:00.000Z',
      action: 'retry',
      dueAt: 1_735_689_900_000,
      edits: [{ at: '2025-01-01T00:01:00.000Z', by: 'ops', before: '{}', after: '{"amount":10}' }],
      version: 2,
      updatedAt: '2025-01-01T00:05:00.000Z',
    });
    await store.commit(change({ deadLetters: [first] }));
    expect(await store.getDeadLetter('dl-1')).toEqual(first);
    expect(await store.getDeadLetter('dl-2')).toBeUndefined();

    const replaced = deadLetter('dl-1', {
      message: { ...first.message, payload: '{"amount":11}', type: 'OrderAmended', key: 'order-8' },
      status: 'redriven',
      attempts: 0,
      error: { name: 'Error', message: 'other' },
      action: null,
      dueAt: null,
      edits: [
        ...first.edits,
        {
          at: '2025-01-02T00:00:00.000Z',
          by: 'ops',
          reason: 'typo',
          before: '{"amount":10}',
          after: '{"amount":11}',
        },
      ],
      version: 3,
      updatedAt: '2025-01-02T00:00:00.000Z',
    });
    await store.commit(change({ deadLetters: [replaced] }));
    expect(await store.getDeadLetter('dl-1')).toEqual(replaced);
    // The filter columns follow the record.
    expect(await store.listDeadLetters({ key: 'order-8', type: 'OrderAmended', status: 'redriven' })).toEqual(
      [replaced],
    );
    expect(await store.listDeadLetters({ key: 'order-7' })).toEqual([]);

    await store.commit(change({ deadLetterDeletes: ['dl-1', 'dl-unknown'] }));
    expect(await store.getDeadLetter('dl-1')).toBeUndefined();
  });

  it('refuses an action without a due time, writing nothing', async () => {
    const store = openStore();
    await expect(
      store.commit(
        change({
          documents: [{ model: 'x', id: '1', doc: {} }],
          deadLetters: [deadLetter('dl-1', { action: 'retry', dueAt: null })],
        }),
      ),
    ).rejects.toThrow(/dl-1: action "retry" needs a dueAt/);
    expect(await store.getDocument('x', '1')).toBeUndefined();
  });

  it('filters by every field, ordered by id, and pages with after and limit', async () => {
    const store = openStore();
    await store.commit(
      change({
        deadLetters: [
          deadLetter('dl-05', {
            message: { key: 'k5' },
            status: 'discarded',
            error: { name: 'Error', message: 'amountXdue at C:\\tmp' },
            lastFailedAt: '2025-01-05T00:00:00.000Z',
          }),
          deadLetter('dl-01', {
            error: { name: 'TypeError', message: 'cannot read 50% of x' },
            lastFailedAt: '2025-01-01T00:00:00.000Z',
          }),
          deadLetter('dl-03', {
            consumer: 'shipping',
            status: 'skipped',
            error: { name: 'Error', message: 'timeout after 5000 ms' },
            lastFailedAt: '2025-01-03T00:00:00.000Z',
          }),
          deadLetter('dl-02', {
            message: { type: 'OrderCancelled', key: 'k2' },
            status: 'retrying',
            reason: 'invalid',
            error: { name: 'ValidationError', message: 'amount_due missing' },
            lastFailedAt: '2025-01-02T00:00:00.000Z',
          }),
          deadLetter('dl-04', {
            message: { key: 'k3' },
            status: 'redriven',
            error: { name: 'HttpError', message: '50 of x' },
            lastFailedAt: '2025-01-04T00:00:00.000Z',
          }),
        ],
      }),
    );
    const ids = async (filter?: DeadLetterFilter): Promise<string[]> =>
      (await store.listDeadLetters(filter)).map((d) => d.id);

    expect(await ids()).toEqual(['dl-01', 'dl-02', 'dl-03', 'dl-04', 'dl-05']);
    expect(await ids({})).toEqual(['dl-01', 'dl-02', 'dl-03', 'dl-04', 'dl-05']);
    expect(await ids({ consumer: 'billing' })).toEqual(['dl-01', 'dl-02', 'dl-04', 'dl-05']);
    expect(await ids({ type: 'OrderPlaced' })).toEqual(['dl-01', 'dl-03', 'dl-04', 'dl-05']);
    expect(await ids({ key: 'k1' })).toEqual(['dl-01', 'dl-03']);
    expect(await ids({ status: 'parked' })).toEqual(['dl-01']);
    expect(await ids({ status: ['retrying', 'skipped'] })).toEqual(['dl-02', 'dl-03']);
    expect(await ids({ status: [] })).toEqual([]);
    expect(await ids({ reason: 'invalid' })).toEqual(['dl-02']);

    // A substring of the name or the message; `%`, `_` and `\` match only themselves.
    expect(await ids({ error: '50%' })).toEqual(['dl-01']);
    expect(await ids({ error: 'amount_due' })).toEqual(['dl-02']);
    expect(await ids({ error: 'C:\\tmp' })).toEqual(['dl-05']);
    expect(await ids({ error: 'HttpErr' })).toEqual(['dl-04']);
    expect(await ids({ error: 'typeerror' })).toEqual(['dl-01']);
    expect(await ids({ error: 'Error' })).toEqual(['dl-01', 'dl-02', 'dl-03', 'dl-04', 'dl-05']);
    expect(await ids({ error: '%' })).toEqual(['dl-01']);

    expect(await ids({ since: '2025-01-03T00:00:00.000Z' })).toEqual(['dl-03', 'dl-04', 'dl-05']);
    expect(await ids({ until: '2025-01-02T00:00:00.000Z' })).toEqual(['dl-01', 'dl-02']);
    expect(await ids({ since: '2025-01-02T00:00:00.000Z', until: '2025-01-04T00:00:00.000Z' })).toEqual([
      'dl-02',
      'dl-03',
      'dl-04',
    ]);

    expect(await ids({ limit: 2 })).toEqual(['dl-01', 'dl-02']);
    expect(await ids({ after: 'dl-02', limit: 2 })).toEqual(['dl-03', 'dl-04']);
    expect(await ids({ after: 'dl-04' })).toEqual(['dl-05']);
    expect(await ids({ consumer: 'billing', type: 'OrderPlaced', status: ['parked', 'discarded'] })).toEqual([
      'dl-01',
      'dl-05',
    ]);
    expect(
      await ids({ consumer: 'billing', key: 'k1', reason: 'failed', error: '50', after: 'dl-00' }),
    ).toEqual(['dl-01']);
    await expect(store.listDeadLetters({ limit: -1 })).rejects.toThrow(/non-negative integer/);
  });

  it('lists a default of 100', async () => {
    const store = openStore();
    await store.commit(
      change({
        deadLetters: Array.from({ length: 101 }, (_, i) => deadLetter(`dl-${String(i).padStart(3, '0')}`)),
      }),
    );
    expect(await store.listDeadLetters()).toHaveLength(100);
  });

  it('returns the actions of a consumer and source that are due, earliest first', async () => {
    const store = openStore();
    const due = (id: string, dueAt: number, fields: Parameters<typeof deadLetter>[1] = {}): DeadLetter =>
      deadLetter(id, { status: 'retrying', action: 'retry', dueAt, ...fields });
    await store.commit(
      change({
        deadLetters: [
          due('dl-f', 100),
          due('dl-a', 100),
          due('dl-b', 50, { action: 'drop', status: 'parked' }),
          deadLetter('dl-c', { dueAt: 10 }),
          due('dl-d', 10, { message: { source: 'refunds' } }),
          due('dl-e', 10, { consumer: 'shipping' }),
        ],
      }),
    );

    expect((await store.dueDeadLetters('billing', 'orders', 49, 10)).map((d) => d.id)).toEqual([]);
    expect((await store.dueDeadLetters('billing', 'orders', 99, 10)).map((d) => d.id)).toEqual(['dl-b']);
    expect((await store.dueDeadLetters('billing', 'orders', 100, 10)).map((d) => d.id)).toEqual([
      'dl-b',
      'dl-a',
      'dl-f',
    ]);
    expect((await store.dueDeadLetters('billing', 'orders', 1000, 2)).map((d) => d.id)).toEqual([
      'dl-b',
      'dl-a',
    ]);
    expect(await store.dueDeadLetters('billing', 'orders', 1000, 1)).toEqual([
      due('dl-b', 50, { action: 'drop', status: 'parked' }),
    ]);
    expect((await store.dueDeadLetters('billing', 'refunds', 1000, 10)).map((d) => d.id)).toEqual(['dl-d']);

    expect(await store.nextDeadLetterDue('billing', 'orders')).toBe(50);
    expect(await store.nextDeadLetterDue('shipping', 'orders')).toBe(10);
    expect(await store.nextDeadLetterDue('billing', 'payments')).toBeUndefined();

    await store.commit(
      change({ deadLetters: [deadLetter('dl-b', { dueAt: 50 })], deadLetterDeletes: ['dl-a'] }),
    );
    expect(await store.nextDeadLetterDue('billing', 'orders')).toBe(100);
    expect((await store.dueDeadLetters('billing', 'orders', 1000, 10)).map((d) => d.id)).toEqual(['dl-f']);
  });
});
