import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  emptyChange,
  isConcurrencyError,
  newMessageId,
  type Change,
  type DeadLetter,
  type NewEvent,
  type OutgoingMessage,
  type Store,
} from '@parley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteBus, type SqliteBus } from './createSqliteBus.ts';
import { createSqliteStore, type SqliteStoreOptions } from './createSqliteStore.ts';

let dir: string;
let url: string;
const opened: Array<Store | SqliteBus> = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  url = `sqlite:${path.join(dir, 'app.db')}`;
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((resource) => resource.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function openStore(options?: SqliteStoreOptions, at = url): Store {
  const store = createSqliteStore(at, options);
  opened.push(store);
  return store;
}

function openBus(at = url): SqliteBus {
  const bus = createSqliteBus(at);
  opened.push(bus);
  return bus;
}

function event(type: string, data: unknown = {}): NewEvent {
  return {
    id: newMessageId(),
    type,
    data,
    metadata: { correlationId: 'corr-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
  };
}

function outgoing(topic: string, partition = 0): OutgoingMessage {
  return {
    topic,
    partition,
    id: newMessageId(),
    type: 'SeatReserved',
    key: 'show-1',
    payload: '{"seat":"A1"}',
    headers: { correlationId: 'corr-1' },
    occurredAt: '2025-01-01T00:00:00.000Z',
  };
}

function deadLetter(action: DeadLetter['action']): DeadLetter {
  return {
    id: newMessageId(),
    consumer: 'c',
    message: {
      id: newMessageId(),
      type: 'SeatReserved',
      key: 'show-1',
      payload: '{}',
      headers: {},
      occurredAt: '2025-01-01T00:00:00.000Z',
      source: 'orders',
      partition: 0,
      position: 1,
    },
    status: action === null ? 'parked' : 'retrying',
    reason: 'failed',
    attempts: 1,
    error: { name: 'Error', message: 'boom' },
    firstFailedAt: '2025-01-01T00:00:00.000Z',
    lastFailedAt: '2025-01-01T00:00:00.000Z',
    action,
    dueAt: action === null ? null : 1,
    edits: [],
    version: 1,
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

function change(parts: Partial<Change>): Change {
  return { ...emptyChange, ...parts };
}

async function conflictOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isConcurrencyError(error)).toBe(true);
  return (error as { conflict: unknown }).conflict;
}

describe('createSqliteStore', () => {
  it('migrates once: opening a file again applies nothing and keeps the data', async () => {
    const first = openStore();
    await first.commit(change({ documents: [{ model: 'shows', id: 's1', doc: { title: 'Hamlet' } }] }));
    await first.close();
    const second = openStore();
    expect(await second.getDocument('shows', 's1')).toEqual({ title: 'Hamlet' });
  });

  it('appends events, chaining versions, and reads them back by stream and by entity', async () => {
    const store = openStore();
    const [a, b, c] = [event('Created', { n: 1 }), event('Renamed', { n: 2 }), event('Created', { n: 3 })];
    await store.commit(
      change({
        appends: [
          { entity: 'show', entityId: 's1', expectedVersion: 0, events: [a] },
          { entity: 'show', entityId: 's1', expectedVersion: 1, events: [b] },
          { entity: 'show', entityId: 's2', expectedVersion: 0, events: [c] },
        ],
      }),
    );

    const stream = await store.readStream('show', 's1', 0);
    expect(stream.map((e) => [e.id, e.version, e.data])).toEqual([
      [a.id, 1, { n: 1 }],
      [b.id, 2, { n: 2 }],
    ]);
    expect(stream[0]).toMatchObject({
      entity: 'show',
      entityId: 's1',
      type: 'Created',
      metadata: a.metadata,
    });
    expect(await store.readStream('show', 's1', 1)).toHaveLength(1);

    const all = await store.readEvents('show', 0, 10);
    expect(all.map((e) => e.id)).toEqual([a.id, b.id, c.id]);
    expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((x, y) => x - y));
    expect((await store.readEvents('show', all[0]!.position, 1)).map((e) => e.id)).toEqual([b.id]);
    expect(await store.lastEventPosition('show')).toBe(all[2]!.position);
    expect(await store.lastEventPosition('venue')).toBe(0);
  });

  it('rejects a stale stream version and writes nothing of the change', async () => {
    const store = openStore();
    await store.commit(
      change({
        appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Created')] }],
      }),
    );

    const conflict = conflictOf(
      store.commit(
        change({
          appends: [
            { entity: 'show', entityId: 's2', expectedVersion: 0, events: [event('Created')] },
            { entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Created')] },
          ],
          commands: [
            {
              commandId: 'cmd-1',
              entity: 'show',
              entityId: 's1',
              outcome: { status: 'accepted', version: 1, eventIds: [] },
            },
          ],
          documents: [{ model: 'shows', id: 's1', doc: { title: 'x' } }],
          checkpoints: [
            { consumer: 'c', source: 'orders', partition: 0, position: 3, expectedVersion: 0, doneAbove: [] },
          ],
          outgoing: [outgoing('orders')],
        }),
      ),
    );
    expect(await conflict).toEqual({ kind: 'stream', entity: 'show', entityId: 's1', expectedVersion: 0 });

    expect(await store.readEvents('show', 0, 10)).toHaveLength(1);
    expect(await store.findCommand('cmd-1')).toBeUndefined();
    expect(await store.getDocument('shows', 's1')).toBeUndefined();
    expect(await store.loadCursor('c', 'orders')).toEqual([]);
    expect(await store.fetchOutbox(10)).toEqual([]);
  });

  it('records a command outcome once and rejects a second commit of the same command id', async () => {
    const store = openStore();
    const outcome = {
      status: 'rejected',
      code: 'SOLD_OUT',
      message: 'no seats left',
      details: { left: 0 },
    } as const;
    await store.commit(
      change({ commands: [{ commandId: 'cmd-1', entity: 'show', entityId: 's1', outcome }] }),
    );
    expect(await store.findCommand('cmd-1')).toEqual({
      commandId: 'cmd-1',
      entity: 'show',
      entityId: 's1',
      outcome,
    });

    const conflict = conflictOf(
      store.commit(
        change({
          appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Created')] }],
          commands: [{ commandId: 'cmd-1', entity: 'show', entityId: 's1', outcome }],
        }),
      ),
    );
    expect(await conflict).toEqual({ kind: 'command', commandId: 'cmd-1' });
    expect(await store.readStream('show', 's1', 0)).toEqual([]);
  });

  it('moves checkpoints by compare-and-set and keeps only done marks above the position', async () => {
    const store = openStore();
    const at = (position: number, expectedVersion: number, doneAbove: number[] = []): Change =>
      change({
        checkpoints: [
          { consumer: 'billing', source: 'orders', partition: 2, position, expectedVersion, doneAbove },
        ],
      });

    await store.commit(at(5, 0, [7, 9]));
    expect(await store.loadCursor('billing', 'orders')).toEqual([
      { partition: 2, position: 5, version: 1, doneAbove: [7, 9] },
    ]);

    expect(await conflictOf(store.commit(at(6, 0)))).toEqual({
      kind: 'checkpoint',
      consumer: 'billing',
      source: 'orders',
      partition: 2,
      expectedVersion: 0,
    });

    await store.commit(at(8, 1, [12, 9, 3]));
    expect(await store.loadCursor('billing', 'orders')).toEqual([
      { partition: 2, position: 8, version: 2, doneAbove: [9, 12] },
    ]);

    expect(await conflictOf(store.commit(at(20, 1)))).toMatchObject({
      kind: 'checkpoint',
      expectedVersion: 1,
    });
    await store.commit(at(12, 2));
    expect(await store.loadCursor('billing', 'orders')).toEqual([
      { partition: 2, position: 12, version: 3, doneAbove: [] },
    ]);
    expect(await store.loadCursor('billing', 'payments')).toEqual([]);
  });

  it('reports a checkpoint conflict, not a duplicate event id, when a message is handled twice', async () => {
    const store = openStore();
    const created = event('Created');
    const handled = (expectedVersion: number): Change =>
      change({
        appends: [{ entity: 'show', entityId: 's1', expectedVersion, events: [created] }],
        checkpoints: [
          { consumer: 'c', source: 'orders', partition: 0, position: 1, expectedVersion: 0, doneAbove: [] },
        ],
      });
    await store.commit(handled(0));
    expect(await conflictOf(store.commit(handled(1)))).toMatchObject({ kind: 'checkpoint' });
  });

  it('lists every checkpoint and counts the events after a position', async () => {
    const store = openStore();
    const checkpoint = (consumer: string, source: string, partition: number, position: number) => ({
      consumer,
      source,
      partition,
      position,
      expectedVersion: 0,
      doneAbove: [position + 2],
    });
    await store.commit(
      change({
        checkpoints: [
          checkpoint('shipping', 'orders', 0, 4),
          checkpoint('billing', 'orders', 1, 7),
          checkpoint('billing', 'entity:show', 0, 2),
          checkpoint('billing', 'orders', 0, 3),
        ],
        appends: [
          { entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('A'), event('B')] },
          { entity: 'show', entityId: 's2', expectedVersion: 0, events: [event('C')] },
          { entity: 'venue', entityId: 'v1', expectedVersion: 0, events: [event('D')] },
        ],
      }),
    );
    expect(await store.listCursors()).toEqual([
      { consumer: 'billing', source: 'entity:show', partition: 0, position: 2 },
      { consumer: 'billing', source: 'orders', partition: 0, position: 3 },
      { consumer: 'billing', source: 'orders', partition: 1, position: 7 },
      { consumer: 'shipping', source: 'orders', partition: 0, position: 4 },
    ]);

    const shows = await store.readEvents('show', 0, 10);
    expect(await store.countEventsAfter('show', 0)).toBe(3);
    expect(await store.countEventsAfter('show', shows[0]!.position)).toBe(2);
    expect(await store.countEventsAfter('show', shows[2]!.position)).toBe(0);
    expect(await store.countEventsAfter('film', 0)).toBe(0);
  });

  it('sets, replaces, deletes and finds documents by top-level fields', async () => {
    const store = openStore();
    const docs = {
      b: { status: 'open', seats: 2, vip: true, note: null },
      a: { status: 'open', seats: 1, vip: false },
      c: { status: 'closed', seats: 1, vip: 1 },
    };
    await store.commit(
      change({ documents: Object.entries(docs).map(([id, doc]) => ({ model: 'shows', id, doc })) }),
    );
    await store.commit(change({ documents: [{ model: 'venues', id: 'a', doc: { status: 'open' } }] }));

    const ids = async (
      where: Record<string, string | number | boolean | null>,
      limit?: number,
    ): Promise<string[]> =>
      (await store.findDocuments('shows', limit === undefined ? { where } : { where, limit })).map(
        (d) => d.id,
      );

    expect(await store.findDocuments('shows')).toEqual([
      { id: 'a', doc: docs.a },
      { id: 'b', doc: docs.b },
      { id: 'c', doc: docs.c },
    ]);
    expect(await ids({ status: 'open' })).toEqual(['a', 'b']);
    expect(await ids({ status: 'open' }, 1)).toEqual(['a']);
    expect(await ids({ seats: 1 })).toEqual(['a', 'c']);
    expect(await ids({ seats: 1, status: 'closed' })).toEqual(['c']);
    expect(await ids({ vip: true })).toEqual(['b']);
    expect(await ids({ vip: false })).toEqual(['a']);
    expect(await ids({ note: null })).toEqual(['a', 'b', 'c']);
    expect(await ids({ status: null })).toEqual([]);
    await expect(store.findDocuments('shows', { where: { "x') OR 1=1 --": 1 } })).rejects.toThrow(
      /letters, digits/,
    );

    await store.commit(
      change({
        documents: [
          { model: 'shows', id: 'a', doc: { status: 'closed' } },
          { model: 'shows', id: 'b', doc: null },
        ],
      }),
    );
    expect(await store.getDocument('shows', 'a')).toEqual({ status: 'closed' });
    expect(await store.getDocument('shows', 'b')).toBeUndefined();
    expect(await ids({ status: 'open' })).toEqual([]);
  });

  it('keeps outgoing messages in the outbox, in order, until marked sent', async () => {
    const store = openStore();
    const messages = [outgoing('orders', 1), outgoing('orders', 0), outgoing('refunds', 3)];
    await store.commit(change({ outgoing: messages }));

    const pending = await store.fetchOutbox(10);
    expect(pending.map(({ seq: _seq, ...message }) => message)).toEqual(messages);
    expect((await store.fetchOutbox(2)).map((r) => r.id)).toEqual([messages[0]!.id, messages[1]!.id]);

    await store.markSent(pending.slice(0, 2).map((r) => r.seq));
    expect((await store.fetchOutbox(10)).map((r) => r.id)).toEqual([messages[2]!.id]);
  });

  it('writes outgoing messages straight into the log when the bus is the same file', async () => {
    const bus = openBus();
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    const store = openStore({ bus });
    const message = outgoing('orders', 1);

    await store.commit(change({ outgoing: [message] }));
    await store.commit(change({ outgoing: [message] }));
    expect(await store.fetchOutbox(10)).toEqual([]);
    const records = await bus.read('orders', 1, 0, 10);
    expect(records).toEqual([{ ...message, position: records[0]!.position }]);

    await expect(
      store.commit(
        change({
          documents: [{ model: 'shows', id: 's1', doc: {} }],
          outgoing: [outgoing('nowhere')],
        }),
      ),
    ).rejects.toThrow(/topic "nowhere" does not exist/);
    expect(await store.getDocument('shows', 's1')).toBeUndefined();

    // Each holds a reference to the shared connection: closing one leaves the other working.
    await bus.close();
    await store.commit(change({ outgoing: [outgoing('orders', 0)] }));
    expect(await store.fetchOutbox(10)).toEqual([]);
    await expect(bus.read('orders', 0, 0, 10)).rejects.toThrow(/closed/);
  });

  it('uses the outbox when the bus is another file', async () => {
    const bus = openBus(`sqlite:${path.join(dir, 'bus.db')}`);
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    const store = openStore({ bus });
    await store.commit(change({ outgoing: [outgoing('orders')] }));
    expect(await store.fetchOutbox(10)).toHaveLength(1);
    expect(await bus.endPosition('orders', 0)).toBe(0);
  });

  it('wakes waitForChange on an append or an outgoing message, here or from another connection', async () => {
    const store = openStore();
    const other = openStore();

    const here = store.waitForChange(10_000);
    await store.commit(change({ outgoing: [outgoing('orders')] }));
    await here;

    const started = Date.now();
    const there = store.waitForChange(10_000);
    await other.commit(
      change({
        appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Created')] }],
      }),
    );
    await there;
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    [
      'a timer',
      (): Change => change({ timers: [{ id: newMessageId(), dueAt: 1, message: outgoing('orders') }] }),
    ],
    ['a dead letter with an action', (): Change => change({ deadLetters: [deadLetter('retry')] })],
    [
      'a consumer state',
      (): Change =>
        change({ consumerStates: [{ consumer: 'c', paused: true, reason: null, updatedAt: '2025-01-01' }] }),
    ],
  ])('wakes waitForChange on %s, here or from another connection', async (_what, write) => {
    const store = openStore();
    const other = openStore();

    const here = store.waitForChange(10_000);
    await store.commit(write());
    await here;

    // Let the poll back off to its idle interval first, as in a quiet system.
    const there = store.waitForChange(10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await other.commit(write());
    await there;
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('wakes waitForChange only for the kinds of change it is given', async () => {
    const store = openStore();
    const other = openStore();
    const append = () =>
      change({
        appends: [
          { entity: 'show', entityId: newMessageId(), expectedVersion: 0, events: [event('Created')] },
        ],
      });
    // Another connection first: a wake-up spurious by contract (this connection's own earlier commits seen only
    // when another commits) would otherwise blur what is tested.
    for (const writer of [other, store]) {
      let woke = false;
      const started = Date.now();
      const wait = store.waitForChange(400, undefined, ['outbox']).then(() => (woke = true));
      await writer.commit(append());
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(woke).toBe(false);
      await writer.commit(change({ outgoing: [outgoing('orders')] }));
      await wait;
      expect(Date.now() - started).toBeLessThan(400);
    }
  });

  it('does not wake waitForChange for checkpoint, document, parked or inactive dead-letter writes', async () => {
    const store = openStore();
    const other = openStore();
    let woke = false;
    const wait = store.waitForChange(300).then(() => (woke = true));
    await store.commit(change({ documents: [{ model: 'shows', id: 's1', doc: {} }] }));
    await store.commit(change({ deadLetters: [deadLetter(null)] }));
    await other.commit(
      change({
        checkpoints: [
          { consumer: 'c', source: 'orders', partition: 0, position: 1, expectedVersion: 0, doneAbove: [] },
        ],
        parks: [{ consumer: 'c', message: deadLetter(null).message }],
        deadLetters: [deadLetter(null)],
        deadLetterDeletes: ['dl-unknown'],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(woke).toBe(false);
    await wait;
  });

  it('resolves waiters and rejects calls once closed', async () => {
    const store = createSqliteStore(url);
    const wait = store.waitForChange(60_000);
    await store.close();
    await wait;
    await store.close();
    await expect(store.readStream('show', 's1', 0)).rejects.toThrow(/closed/);
  });

  it('leaves only the database file once the last of its store and bus has closed', async () => {
    const bus = createSqliteBus(url);
    const store = createSqliteStore(url, { bus });
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    await store.commit({ ...emptyChange, outgoing: [outgoing('orders')] });
    await store.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['app.db', 'app.db-shm', 'app.db-wal']);
    await bus.close();
    // The checkpoint thread closed its connection first, so the last close copied the log back and removed it.
    expect(fs.readdirSync(dir)).toEqual(['app.db']);
    const reopened = createSqliteBus(url);
    expect(await reopened.endPosition('orders', 0)).toBe(1);
    await reopened.close();
  });
});
