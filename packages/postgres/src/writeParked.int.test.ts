import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, parked, useTestKit } from './conformance/testKit.ts';

describePostgres('writeParked and writeConsumerStates', () => {
  const kit = useTestKit();

  it('keeps each key in position order, ignores a second park and forgets unparked messages', async () => {
    const store = kit.openStore(kit.newSchema());
    const [m3, m1, m2] = [
      parked({ position: 3 }),
      parked({ position: 1 }),
      parked({ position: 2, partition: 0 }),
    ];
    const other = parked({ key: 'k0', position: 9, partition: 2 });
    await store.commit(
      change({
        parks: [
          { consumer: 'c', message: m3 },
          { consumer: 'c', message: m1 },
          { consumer: 'c', message: other },
          { consumer: 'd', message: m2 },
        ],
      }),
    );
    await store.commit(change({ parks: [{ consumer: 'c', message: { ...m1, type: 'Changed' } }] }));
    expect(await store.loadParkedKeys('c', 'orders')).toEqual([
      { key: 'k0', partition: 2 },
      { key: 'k1', partition: 0 },
    ]);
    expect(await store.readParked('c', 'orders', 'k1', 0, 10)).toEqual([m1, m3]);
    expect(await store.readParked('c', 'orders', 'k1', 1, 10)).toEqual([m3]);
    expect(await store.readParked('c', 'orders', 'k1', 0, 1)).toEqual([m1]);
    await store.commit(
      change({
        unparks: [
          { consumer: 'c', source: 'orders', key: 'k1', position: 1 },
          { consumer: 'c', source: 'orders', key: 'k1', position: 3 },
        ],
        parks: [{ consumer: 'c', message: parked({ position: 4 }) }],
      }),
    );
    expect((await store.readParked('c', 'orders', 'k1', 0, 10)).map((m) => m.position)).toEqual([4]);
    await store.commit(
      change({
        parks: [{ consumer: 'c', message: parked({ position: 5 }) }],
        unparks: [{ consumer: 'c', source: 'orders', key: 'k1', position: 5 }],
      }),
    );
    expect((await store.readParked('c', 'orders', 'k1', 0, 10)).map((m) => m.position)).toEqual([4]);
  });

  it('sets, replaces and lists run states by consumer', async () => {
    const store = kit.openStore(kit.newSchema());
    expect(await store.listConsumerStates()).toEqual([]);
    const at = '2025-01-01T00:00:00.000Z';
    await store.commit(
      change({
        consumerStates: [
          { consumer: 'b', paused: true, reason: 'storm', updatedAt: at },
          { consumer: 'a', paused: true, reason: null, updatedAt: at },
        ],
      }),
    );
    await store.commit(
      change({ consumerStates: [{ consumer: 'a', paused: false, reason: null, updatedAt: at }] }),
    );
    expect(await store.listConsumerStates()).toEqual([
      { consumer: 'a', paused: false, reason: null, updatedAt: at },
      { consumer: 'b', paused: true, reason: 'storm', updatedAt: at },
    ]);
  });
});
