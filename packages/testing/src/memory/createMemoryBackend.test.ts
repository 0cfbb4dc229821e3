import {
  emptyChange,
  isConcurrencyError,
  newMessageId,
  type Clock,
  type DeadLetter,
  type NewEvent,
  type OutgoingMessage,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { compareText } from './compareText.ts';
import { createMemoryBackend } from './createMemoryBackend.ts';

function event(type: string, data: unknown = {}): NewEvent {
  return { id: newMessageId(), type, data, metadata: {}, occurredAt: '2026-01-01T00:00:00.000Z' };
}

function outgoing(topic: string, partition = 0): OutgoingMessage {
  return {
    topic,
    partition,
    id: newMessageId(),
    type: 'Noted',
    key: 'k',
    payload: '{}',
    headers: { correlationId: 'c' },
    occurredAt: '2026-01-01T00:00:00.000Z',
  };
}

function deadLetter(): DeadLetter {
  return {
    id: newMessageId(),
    consumer: 'c',
    message: {
      id: newMessageId(),
      type: 'Noted',
      key: 'k',
      payload: '{}',
      headers: {},
      occurredAt: '2026-01-01T00:00:00.000Z',
      source: 'orders',
      partition: 0,
      position: 1,
    },
    status: 'retrying',
    reason: 'failed',
    attempts: 1,
    error: { name: 'Error', message: 'Boom' },
    firstFailedAt: '2026-01-01T00:00:00.000Z',
    lastFailedAt: '2026-01-01T00:00:00.000Z',
    action: 'retry',
    dueAt: 1000.5,
    edits: [],
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A clock whose sleeps never end: only a change (or an abort) can wake a waiter. */
const frozenClock: Clock = {
  now: () => 0,
  sleep: (_ms, signal) =>
    new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
  after: () => () => {},
  random: () => 0.5,
};

describe('memory backend', () => {
  it('writes nothing of a commit that conflicts, not even the positions and seqs it took', async () => {
    const { store } = await createMemoryBackend().open({ service: 'shop' });
    await store.commit({
      ...emptyChange,
      appends: [{ entity: 'cart', entityId: 'a', expectedVersion: 0, events: [event('Opened')] }],
      outgoing: [outgoing('orders')],
    });
    const letter = deadLetter();
    const conflicting = store.commit({
      ...emptyChange,
      appends: [
        { entity: 'cart', entityId: 'b', expectedVersion: 0, events: [event('Opened')] },
        // Stale: `a` is at version 1.
        { entity: 'cart', entityId: 'a', expectedVersion: 0, events: [event('Added')] },
      ],
      commands: [
        {
          commandId: 'cmd-1',
          entity: 'cart',
          entityId: 'b',
          outcome: { status: 'accepted', version: 1, eventIds: [] },
        },
      ],
      outgoing: [outgoing('orders')],
      documents: [{ model: 'carts', id: 'b', doc: { items: 0 } }],
      checkpoints: [
        { consumer: 'c', source: 'orders', partition: 0, position: 5, expectedVersion: 0, doneAbove: [] },
      ],
      deadLetters: [letter],
      timers: [{ id: 't-1', dueAt: 10, message: outgoing('orders') }],
      consumerStates: [{ consumer: 'c', paused: true, reason: 'ops', updatedAt: '2026-01-01T00:00:00.000Z' }],
    });
    const error = await conflicting.catch((caught: unknown) => caught);
    expect(isConcurrencyError(error) && error.conflict).toEqual({
      kind: 'stream',
      entity: 'cart',
      entityId: 'a',
      expectedVersion: 0,
    });
    expect(await store.readStream('cart', 'b', 0)).toEqual([]);
    expect(await store.findCommand('cmd-1')).toBeUndefined();
    expect(await store.getDocument('carts', 'b')).toBeUndefined();
    expect(await store.loadCursor('c', 'orders')).toEqual([]);
    expect(await store.getDeadLetter(letter.id)).toBeUndefined();
    expect(await store.nextTimerDue()).toBeUndefined();
    expect(await store.listConsumerStates()).toEqual([]);
    expect((await store.fetchOutbox(10)).map((r) => r.seq)).toEqual([1]);

    // The next commit takes the position and seq the failed one gave back.
    await store.commit({
      ...emptyChange,
      appends: [{ entity: 'cart', entityId: 'b', expectedVersion: 0, events: [event('Opened')] }],
      outgoing: [outgoing('orders')],
    });
    expect((await store.readEvents('cart', 0, 10)).map((e) => e.position)).toEqual([1, 2]);
    expect((await store.fetchOutbox(10)).map((r) => r.seq)).toEqual([1, 2]);
  });

  it('reports the conflict a caller can act on: checkpoint, command, then fired timer', async () => {
    const { store } = await createMemoryBackend().open({ service: 'shop' });
    const checkpoint = { consumer: 'c', source: 'orders', partition: 0, position: 3, doneAbove: [5, 2] };
    await store.commit({ ...emptyChange, checkpoints: [{ ...checkpoint, expectedVersion: 0 }] });
    expect(await store.loadCursor('c', 'orders')).toEqual([
      { partition: 0, position: 3, version: 1, doneAbove: [5] },
    ]);
    const command = {
      commandId: 'once',
      entity: 'cart',
      entityId: 'a',
      outcome: { status: 'accepted', version: 0, eventIds: [] } as const,
    };
    const twice = await store
      .commit({ ...emptyChange, commands: [command, command] })
      .catch((caught: unknown) => caught);
    expect(isConcurrencyError(twice) && twice.conflict).toEqual({ kind: 'command', commandId: 'once' });
    const stale = await store
      .commit({
        ...emptyChange,
        checkpoints: [{ ...checkpoint, expectedVersion: 0 }],
        commands: [command],
        firedTimers: ['gone'],
      })
      .catch((caught: unknown) => caught);
    expect(isConcurrencyError(stale) && stale.conflict.kind).toBe('checkpoint');
    const fired = await store
      .commit({ ...emptyChange, firedTimers: ['gone'] })
      .catch((caught: unknown) => caught);
    expect(isConcurrencyError(fired) && fired.conflict).toEqual({ kind: 'timer', timerId: 'gone' });
    expect(await store.findCommand('once')).toBeUndefined();
  });

  it('refuses a direct-mode commit to a partition outside the topic, with its events', async () => {
    const { store, bus } = await createMemoryBackend().open();
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    await store.commit({ ...emptyChange, outgoing: [outgoing('orders', 1)] });
    await expect(
      store.commit({
        ...emptyChange,
        appends: [{ entity: 'cart', entityId: 'a', expectedVersion: 0, events: [event('Opened')] }],
        outgoing: [outgoing('orders', 0), outgoing('orders', 2)],
      }),
    ).rejects.toThrow(/partition 2 is outside topic "orders"/);
    expect(await store.readStream('cart', 'a', 0)).toEqual([]);
    expect(await bus.read('orders', 0, 0, 10)).toEqual([]);
    expect(await store.fetchOutbox(10)).toEqual([]);
    await bus.publish([outgoing('orders', 0)]);
    expect((await bus.read('orders', 0, 0, 10)).map((r) => r.position)).toEqual([2]);
  });

  it('filters and pages dead letters as the SQL stores do, and serves due actions by due time', async () => {
    const { store } = await createMemoryBackend().open();
    const letters = [1, 2, 3].map((n) => ({
      ...deadLetter(),
      id: `01J00000000000000000000${n}`,
      lastFailedAt: `2026-01-0${n}T00:00:00.000Z`,
      dueAt: 100 - n,
      error: { name: 'GatewayError', message: n === 2 ? 'Timeout at Gate Ä' : 'refused' },
    }));
    await store.commit({
      ...emptyChange,
      deadLetters: [...letters, { ...deadLetter(), action: null, dueAt: null }],
    });
    const ids = (list: DeadLetter[]) => list.map((d) => d.id.slice(-1));
    expect(ids(await store.listDeadLetters({ error: 'TIMEOUT' }))).toEqual(['2']);
    // LIKE folds the case of ASCII letters only.
    expect(await store.listDeadLetters({ error: 'gate ä' })).toEqual([]);
    expect(
      ids(await store.listDeadLetters({ error: 'gatewayerror', since: '2026-01-02T00:00:00.000Z' })),
    ).toEqual(['2', '3']);
    expect(ids(await store.listDeadLetters({ until: '2026-01-02T00:00:00.000Z', limit: 1 }))).toEqual(['1']);
    expect(ids(await store.listDeadLetters({ after: letters[0]!.id, limit: 1 }))).toEqual(['2']);
    expect(ids(await store.dueDeadLetters('c', 'orders', 98, 10))).toEqual(['3', '2']);
    expect(await store.nextDeadLetterDue('c', 'orders')).toBe(97);
    await expect(
      store.commit({ ...emptyChange, deadLetters: [{ ...deadLetter(), dueAt: null }] }),
    ).rejects.toThrow(/needs a dueAt/);
    expect((await store.getDeadLetter(letters[0]!.id))?.dueAt).toBe(99);
  });

  it('pages documents in UTF-8 byte order and compares fields as JSON values', async () => {
    const { store } = await createMemoryBackend().open();
    const ids = ['b', '\u{1F600}', '\uFF21', 'a'];
    await store.commit({
      ...emptyChange,
      documents: [
        ...ids.map((id) => ({ model: 'm', id, doc: { flag: true, n: 1 } })),
        { model: 'm', id: 'c', doc: { flag: 1, n: null } },
        { model: 'm', id: 'd', doc: { n: '1' } },
      ],
    });
    const all = await store.findDocuments('m');
    expect(all.map((d) => d.id)).toEqual(['a', 'b', 'c', 'd', '\uFF21', '\u{1F600}']);
    expect([...ids].sort(compareText)).toEqual(['a', 'b', '\uFF21', '\u{1F600}']);
    const page = await store.findDocuments('m', { limit: 2, after: 'b' });
    expect(page.map((d) => d.id)).toEqual(['c', 'd']);
    expect((await store.findDocuments('m', { where: { flag: true } })).map((d) => d.id)).toEqual([
      'a',
      'b',
      '\uFF21',
      '\u{1F600}',
    ]);
    expect((await store.findDocuments('m', { where: { flag: 1 } })).map((d) => d.id)).toEqual(['c']);
    expect((await store.findDocuments('m', { where: { n: null } })).map((d) => d.id)).toEqual(['c']);
    expect((await store.findDocuments('m', { where: { flag: null } })).map((d) => d.id)).toEqual(['d']);
    expect((await store.findDocuments('m', { where: { n: '1' } })).map((d) => d.id)).toEqual(['d']);
    // Documents are copies: changing what a read returned changes nothing stored.
    (all[0]!.doc as { n: number }).n = 99;
    expect(await store.getDocument('m', 'a')).toEqual({ flag: true, n: 1 });
  });

  it('wakes waiters on other connections at once, and never by its own clock', async () => {
    const backend = createMemoryBackend({ clock: frozenClock });
    const one = await backend.open({ service: 'shop' });
    const two = await backend.open({ service: 'shop' });
    const woken: string[] = [];
    const waiting = two.store.waitForChange(1000, undefined, ['events']).then(() => woken.push('events'));
    void two.bus.waitForMessages(['orders'], 1000).then(() => woken.push('orders'));
    await one.store.commit({ ...emptyChange, documents: [{ model: 'm', id: 'a', doc: {} }] });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(woken).toEqual([]);
    await one.store.commit({
      ...emptyChange,
      appends: [{ entity: 'cart', entityId: 'a', expectedVersion: 0, events: [event('Opened')] }],
    });
    await waiting;
    expect(woken).toEqual(['events']);
    // Closing a connection wakes what waits through it.
    await two.close();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(woken).toEqual(['events', 'orders']);
  });

  it('keeps data across connections, hands out the lowest free instance name, and frees it on close', async () => {
    const backend = createMemoryBackend();
    const first = await backend.open({ service: 'shop' });
    const second = await backend.open({ service: 'shop' });
    expect((await first.store.instanceSlots!.claim('shop')).id).toBe('shop-0');
    const taken = await second.store.instanceSlots!.claim('shop');
    expect(taken.id).toBe('shop-1');
    await first.store.commit({ ...emptyChange, documents: [{ model: 'm', id: 'a', doc: { v: 1 } }] });
    await first.close();
    await expect(first.store.getDocument('m', 'a')).rejects.toThrow(/store memory:default\/shop is closed/);
    const third = await backend.open({ service: 'shop' });
    expect(await third.store.getDocument('m', 'a')).toEqual({ v: 1 });
    expect((await third.store.instanceSlots!.claim('shop')).id).toBe('shop-0');
    await taken.release();
    await taken.release();
    expect((await third.store.instanceSlots!.claim('shop')).id).toBe('shop-1');
    await backend.dispose();
  });
});
