import { expect, it } from 'vitest';
import { createPostgresStore } from './createPostgresStore.ts';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, deadLetter, event, outgoing, useTestKit } from './conformance/testKit.ts';

describePostgres('createPostgresStore', () => {
  const kit = useTestKit();

  it('keeps outgoing messages in the outbox, in order, until marked sent', async () => {
    const store = kit.openStore(kit.newSchema());
    const messages = [outgoing('orders', 1), outgoing('orders', 0), outgoing('audit')];
    await store.commit(change({ outgoing: messages }));
    const pending = await store.fetchOutbox(10);
    expect(pending.map(({ seq: _seq, ...message }) => message)).toEqual(messages);
    await store.markSent(pending.slice(0, 2).map((record) => record.seq));
    expect((await store.fetchOutbox(10)).map((record) => record.id)).toEqual([messages[2]!.id]);
    await store.markSent([]);
  });

  it('writes outgoing messages straight into the log when the bus is the same schema', async () => {
    const schema = kit.newSchema();
    const bus = kit.openBus(schema);
    const store = kit.openStore(schema, { bus });
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    const message = outgoing('orders', 1);
    await store.commit(change({ outgoing: [message] }));
    await store.commit(change({ outgoing: [message] }));
    expect((await bus.read('orders', 1, 0, 10)).map((record) => record.id)).toEqual([message.id]);
    expect(await store.fetchOutbox(10)).toEqual([]);
    await expect(
      store.commit(
        change({
          outgoing: [outgoing('orders', 2)],
          appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened')] }],
        }),
      ),
    ).rejects.toThrow(/partition 2/);
    expect(await store.readStream('show', 's1', 0)).toEqual([]);
    await expect(store.commit(change({ outgoing: [outgoing('unknown')] }))).rejects.toThrow(/does not exist/);
  });

  it('answers stream reads asked for at once, each with its own stream after its own version', async () => {
    const store = kit.openStore(kit.newSchema());
    const streams = Array.from({ length: 300 }, (_, i) => `s${i}`);
    await store.commit(
      change({
        appends: streams.map((entityId, i) => ({
          entity: 'show',
          entityId,
          expectedVersion: 0,
          events: Array.from({ length: 1 + (i % 3) }, (_, n) => event(`E${n}`)),
        })),
      }),
    );
    // More reads than one statement carries, some of one stream at different versions, some of nothing.
    const asked = [
      ...streams.map((entityId, i) => ({ entity: 'show', entityId, after: i % 2 })),
      { entity: 'show', entityId: 's2', after: 0 },
      { entity: 'show', entityId: 'missing', after: 0 },
      { entity: 'other', entityId: 's1', after: 0 },
    ];
    const answers = await Promise.all(asked.map((a) => store.readStream(a.entity, a.entityId, a.after)));
    asked.forEach((a, index) => {
      const events = answers[index]!;
      const total =
        a.entity === 'show' && a.entityId.startsWith('s') ? 1 + (Number(a.entityId.slice(1)) % 3) : 0;
      expect(events.map((e) => e.version)).toEqual(
        Array.from({ length: Math.max(0, total - a.after) }, (_, n) => a.after + n + 1),
      );
      expect(events.every((e) => e.entity === a.entity && e.entityId === a.entityId)).toBe(true);
      expect(events.map((e) => e.type)).toEqual(events.map((e) => `E${e.version - 1}`));
    });
  });

  it('uses the outbox when the bus is another schema', async () => {
    const bus = kit.openBus(kit.newSchema());
    const store = kit.openStore(kit.newSchema(), { bus });
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    await store.commit(change({ outgoing: [outgoing('orders')] }));
    expect(await store.fetchOutbox(10)).toHaveLength(1);
    expect(await bus.read('orders', 0, 0, 10)).toEqual([]);
  });

  it('wakes waitForChange on appends, outbox messages, timers, due dead letters and states from anywhere', async () => {
    const schema = kit.newSchema();
    const [store, other] = [kit.openStore(schema), kit.openStore(schema)];
    await store.waitForChange(200); // connects the listener
    const writes = [
      change({
        appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened')] }],
      }),
      change({ outgoing: [outgoing('orders')] }),
      change({ timers: [{ id: 't1', dueAt: 1, message: outgoing('orders') }] }),
      change({ deadLetters: [deadLetter('dl', { action: 'retry', dueAt: 1 })] }),
      change({ consumerStates: [{ consumer: 'c', paused: true, reason: null, updatedAt: 'now' }] }),
    ];
    for (const write of writes) {
      for (const writer of [store, other]) {
        const woken = store.waitForChange(10_000);
        const started = Date.now();
        await writer.commit(
          write.appends.length > 0
            ? change({
                appends: [
                  {
                    entity: 'show',
                    entityId: String(Math.random()),
                    expectedVersion: 0,
                    events: [event('Opened')],
                  },
                ],
              })
            : write.timers.length > 0
              ? change({ timers: [{ id: String(Math.random()), dueAt: 1, message: outgoing('orders') }] })
              : write,
        );
        await woken;
        expect(Date.now() - started).toBeLessThan(2000);
      }
    }
  });

  it('wakes waitForChange only for the kinds of change it is given', async () => {
    const schema = kit.newSchema();
    const [store, other] = [kit.openStore(schema), kit.openStore(schema)];
    await store.waitForChange(10_000); // resolves once listening: a wake-up every waiter gets
    // Another store first: this store's own notifications come back later, waking whoever waits then (spurious
    // by contract), which would blur what is tested.
    for (const writer of [other, store]) {
      let woke = false;
      const started = Date.now();
      const wait = store.waitForChange(1500, undefined, ['outbox']).then(() => (woke = true));
      await writer.commit(
        change({
          appends: [
            {
              entity: 'show',
              entityId: String(Math.random()),
              expectedVersion: 0,
              events: [event('Opened')],
            },
          ],
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(woke).toBe(false);
      await writer.commit(change({ outgoing: [outgoing('orders')] }));
      await wait;
      expect(Date.now() - started).toBeLessThan(1500);
    }
  });

  it('does not wake waitForChange for checkpoint, document, parked or inactive dead-letter writes', async () => {
    const schema = kit.newSchema();
    const [store, other] = [kit.openStore(schema), kit.openStore(schema)];
    await store.waitForChange(200);
    const woken = store.waitForChange(500).then(() => Date.now());
    const started = Date.now();
    await store.commit(change({ documents: [{ model: 'shows', id: 's1', doc: {} }] }));
    await other.commit(change({ deadLetters: [deadLetter('dl')] }));
    await other.commit(
      change({
        checkpoints: [
          { consumer: 'c', source: 's', partition: 0, position: 1, expectedVersion: 0, doneAbove: [] },
        ],
      }),
    );
    expect((await woken) - started).toBeGreaterThanOrEqual(450);
  });

  it('offers leases on a table', async () => {
    const store = kit.openStore(kit.newSchema());
    const leases = store.leases!;
    expect(await leases.readLeases('g')).toEqual([]);
    expect(await leases.writeLease('g', 1, 'a', 1000, 0)).toBe(1);
    expect(await leases.writeLease('g', 1, 'b', 1000, 0)).toBeUndefined();
    expect(await leases.writeLease('g', 1, 'b', 2000.5, 1)).toBe(2);
    expect(await leases.writeLease('g', 1, 'a', 3000, 1)).toBeUndefined();
    await leases.writeLease('g', 0, 'a', 500, 0);
    expect(await leases.readLeases('g')).toEqual([
      { partition: 0, owner: 'a', expiresAt: 500, revision: 1 },
      { partition: 1, owner: 'b', expiresAt: 2001, revision: 2 },
    ]);
    expect(await leases.readLeases('other')).toEqual([]);
    expect(await leases.heartbeat('g', 'm2', 1000, 0)).toEqual(['m2']);
    expect(await leases.heartbeat('g', 'm1', 1000, 0)).toEqual(['m1', 'm2']);
    expect(await leases.heartbeat('g', 'm3', 5000, 1000)).toEqual(['m3']);
    expect(await leases.heartbeat('g', 'm1', 6000, 1000)).toEqual(['m1', 'm3']);
    await leases.leave('g', 'm3');
    expect(await leases.heartbeat('g', 'm1', 6000, 1000)).toEqual(['m1']);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => leases.writeLease('g', 5, `m${i}`, 1000, 0)),
    );
    expect(results.filter((revision) => revision !== undefined)).toEqual([1]);
  });

  it('resolves waiters and rejects calls once closed; surfaces connection failures as errors', async () => {
    const store = kit.openStore(kit.newSchema());
    const waiting = store.waitForChange(60_000);
    await store.close();
    await waiting;
    await expect(store.readEvents('show', 0, 1)).rejects.toThrow(/closed/);
    await expect(store.commit(change({ outgoing: [outgoing('orders')] }))).rejects.toThrow(/closed/);

    const unreachable = createPostgresStore('postgres://root@127.0.0.1:1/test', { poolSize: 1 });
    await expect(unreachable.readEvents('show', 0, 1)).rejects.toThrow();
    await expect(unreachable.readEvents('show', 0, 1)).rejects.toThrow();
    const started = Date.now();
    await unreachable.waitForChange(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await unreachable.close();
  });
});
