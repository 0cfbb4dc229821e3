import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  emptyChange,
  isConcurrencyError,
  newMessageId,
  type Change,
  type DeadLetter,
  type OutgoingMessage,
  type ParkedMessage,
  type Store,
} from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from './createSqliteStore.ts';

let dir: string;
let url: string;
const opened: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  url = `sqlite:${path.join(dir, 'app.db')}`;
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function openStore(): Store {
  const store = createSqliteStore(url);
  opened.push(store);
  return store;
}

function change(parts: Partial<Change>): Change {
  return { ...emptyChange, ...parts };
}

function parked(key: string, position: number, partition = 0, source = 'orders'): ParkedMessage {
  return {
    id: `m-${source}-${key}-${position}`,
    type: 'OrderPlaced',
    key,
    payload: `{"position":${position}}`,
    headers: { correlationId: 'corr-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
    source,
    partition,
    position,
  };
}

function outgoing(type = 'ReminderDue'): OutgoingMessage {
  return {
    topic: 'reminders',
    partition: 0,
    id: newMessageId(),
    type,
    key: 'order-1',
    payload: '{}',
    headers: { correlationId: 'corr-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
  };
}

function deadLetter(id: string): DeadLetter {
  return {
    id,
    consumer: 'billing',
    message: parked('k1', 1),
    status: 'retrying',
    reason: 'failed',
    attempts: 1,
    error: { name: 'Error', message: 'boom' },
    firstFailedAt: '2025-01-01T00:00:00.000Z',
    lastFailedAt: '2025-01-01T00:00:00.000Z',
    action: 'retry',
    dueAt: 1000,
    edits: [],
    version: 1,
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

async function conflictOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isConcurrencyError(error)).toBe(true);
  return (error as { conflict: unknown }).conflict;
}

describe('parked queues', () => {
  it('keeps each key in position order, ignores a second park and forgets unparked messages', async () => {
    const store = openStore();
    await store.commit(
      change({
        parks: [
          { consumer: 'billing', message: parked('k1', 9) },
          { consumer: 'billing', message: parked('k1', 3) },
          { consumer: 'billing', message: parked('k2', 4, 1) },
          { consumer: 'billing', message: parked('k1', 5) },
          { consumer: 'billing', message: parked('k9', 1, 0, 'refunds') },
          { consumer: 'shipping', message: parked('k8', 1) },
        ],
      }),
    );
    await store.commit(
      change({
        parks: [{ consumer: 'billing', message: { ...parked('k1', 3), payload: '{"other":true}' } }],
      }),
    );

    expect(await store.readParked('billing', 'orders', 'k1', 0, 10)).toEqual([
      parked('k1', 3),
      parked('k1', 5),
      parked('k1', 9),
    ]);
    expect((await store.readParked('billing', 'orders', 'k1', 3, 1)).map((m) => m.position)).toEqual([5]);
    expect(await store.readParked('billing', 'orders', 'k3', 0, 10)).toEqual([]);
    expect(await store.loadParkedKeys('billing', 'orders')).toEqual([
      { key: 'k1', partition: 0 },
      { key: 'k2', partition: 1 },
    ]);

    await store.commit(
      change({
        unparks: [
          { consumer: 'billing', source: 'orders', key: 'k1', position: 3 },
          { consumer: 'billing', source: 'orders', key: 'k2', position: 4 },
          { consumer: 'billing', source: 'orders', key: 'k2', position: 99 },
        ],
      }),
    );
    expect((await store.readParked('billing', 'orders', 'k1', 0, 10)).map((m) => m.position)).toEqual([5, 9]);
    expect(await store.loadParkedKeys('billing', 'orders')).toEqual([{ key: 'k1', partition: 0 }]);
    expect(await store.loadParkedKeys('shipping', 'orders')).toEqual([{ key: 'k8', partition: 0 }]);
  });

  it('unparks a message parked in the same change', async () => {
    const store = openStore();
    await store.commit(
      change({
        parks: [{ consumer: 'billing', message: parked('k1', 3) }],
        unparks: [{ consumer: 'billing', source: 'orders', key: 'k1', position: 3 }],
      }),
    );
    expect(await store.loadParkedKeys('billing', 'orders')).toEqual([]);
  });
});

describe('timers', () => {
  it('lists due timers earliest first, ignores a duplicate id and deletes fired ones', async () => {
    const store = openStore();
    const [a, b, c] = [outgoing('A'), outgoing('B'), outgoing('C')];
    expect(await store.nextTimerDue()).toBeUndefined();
    await store.commit(
      change({
        timers: [
          { id: 't-a', dueAt: 300, message: a },
          { id: 't-c', dueAt: 100, message: c },
          { id: 't-b', dueAt: 100, message: b },
        ],
      }),
    );
    await store.commit(change({ timers: [{ id: 't-b', dueAt: 50, message: a }] }));

    expect(await store.nextTimerDue()).toBe(100);
    expect(await store.dueTimers(99, 10)).toEqual([]);
    expect(await store.dueTimers(100, 10)).toEqual([
      { id: 't-b', dueAt: 100, message: b },
      { id: 't-c', dueAt: 100, message: c },
    ]);
    expect((await store.dueTimers(1000, 2)).map((t) => t.id)).toEqual(['t-b', 't-c']);

    await store.commit(change({ firedTimers: ['t-b', 't-c'], outgoing: [b, c] }));
    expect(await store.nextTimerDue()).toBe(300);
    expect((await store.dueTimers(1000, 10)).map((t) => t.id)).toEqual(['t-a']);
    expect((await store.fetchOutbox(10)).map((r) => r.id)).toEqual([b.id, c.id]);
  });

  it('rounds a fractional due time up, so nothing comes due early, and refuses a non-finite one', async () => {
    const store = openStore();
    await store.commit(
      change({
        timers: [{ id: 't1', dueAt: 100.2, message: outgoing() }],
        deadLetters: [{ ...deadLetter('dl-1'), dueAt: 100.2 }],
      }),
    );
    expect(await store.dueTimers(100, 10)).toEqual([]);
    expect((await store.dueTimers(101, 10)).map((t) => t.dueAt)).toEqual([101]);
    expect(await store.dueDeadLetters('billing', 'orders', 100, 10)).toEqual([]);
    expect((await store.getDeadLetter('dl-1'))?.dueAt).toBe(101);
    await expect(
      store.commit(change({ timers: [{ id: 't2', dueAt: Number.NaN, message: outgoing() }] })),
    ).rejects.toThrow(/timer t2: dueAt must be a finite number/);
  });

  it('reports a timer fired twice as a conflict and writes nothing of that change', async () => {
    const store = openStore();
    const other = openStore();
    const reminder = outgoing();
    await store.commit(change({ timers: [{ id: 't1', dueAt: 100, message: reminder }] }));
    await store.commit(change({ firedTimers: ['t1'], outgoing: [reminder] }));
    await store.markSent((await store.fetchOutbox(10)).map((r) => r.seq));

    const conflict = conflictOf(
      other.commit(
        change({
          firedTimers: ['t1'],
          outgoing: [reminder],
          documents: [{ model: 'orders', id: 'o1', doc: { reminded: true } }],
          parks: [{ consumer: 'billing', message: parked('k1', 1) }],
          deadLetters: [deadLetter('dl-1')],
          timers: [{ id: 't2', dueAt: 200, message: outgoing() }],
          consumerStates: [
            { consumer: 'billing', paused: true, reason: null, updatedAt: '2025-01-01T00:00:00.000Z' },
          ],
        }),
      ),
    );
    expect(await conflict).toEqual({ kind: 'timer', timerId: 't1' });

    expect(await store.fetchOutbox(10)).toEqual([]);
    expect(await store.getDocument('orders', 'o1')).toBeUndefined();
    expect(await store.loadParkedKeys('billing', 'orders')).toEqual([]);
    expect(await store.getDeadLetter('dl-1')).toBeUndefined();
    expect(await store.nextTimerDue()).toBeUndefined();
    expect(await store.listConsumerStates()).toEqual([]);
  });

  it('rolls back the timers fired before the one that conflicts', async () => {
    const store = openStore();
    await store.commit(change({ timers: [{ id: 't1', dueAt: 100, message: outgoing() }] }));
    expect(await conflictOf(store.commit(change({ firedTimers: ['t1', 'gone'] })))).toEqual({
      kind: 'timer',
      timerId: 'gone',
    });
    expect(await store.nextTimerDue()).toBe(100);
  });
});

describe('consumer states', () => {
  it('sets, replaces and lists run states by consumer', async () => {
    const store = openStore();
    await store.commit(
      change({
        consumerStates: [
          { consumer: 'shipping', paused: false, reason: null, updatedAt: '2025-01-01T00:00:00.000Z' },
          { consumer: 'billing', paused: true, reason: 'operator', updatedAt: '2025-01-01T00:00:01.000Z' },
        ],
      }),
    );
    expect(await store.listConsumerStates()).toEqual([
      { consumer: 'billing', paused: true, reason: 'operator', updatedAt: '2025-01-01T00:00:01.000Z' },
      { consumer: 'shipping', paused: false, reason: null, updatedAt: '2025-01-01T00:00:00.000Z' },
    ]);

    await store.commit(
      change({
        consumerStates: [
          { consumer: 'billing', paused: false, reason: null, updatedAt: '2025-01-01T00:00:02.000Z' },
        ],
      }),
    );
    expect((await store.listConsumerStates())[0]).toEqual({
      consumer: 'billing',
      paused: false,
      reason: null,
      updatedAt: '2025-01-01T00:00:02.000Z',
    });
  });
});
