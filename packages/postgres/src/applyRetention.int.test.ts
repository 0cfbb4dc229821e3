import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { outgoing, useTestKit } from './conformance/testKit.ts';

const at = (ms: number) => new Date(ms).toISOString();

describePostgres('applyRetention and recordProgress', () => {
  const kit = useTestKit();

  it('records progress forward only, and lists it by topic', async () => {
    const bus = kit.openBus(kit.newSchema());
    await bus.recordProgress('orders', 'billing', 0, 5);
    await bus.recordProgress('orders', 'billing', 0, 3);
    await bus.recordProgress('orders', 'audit', 1, 2);
    await bus.recordProgress('users', 'audit', 0, 9);
    expect((await bus.listProgress('orders')).map(({ updatedAt: _at, ...progress }) => progress)).toEqual([
      { topic: 'orders', group: 'audit', partition: 1, position: 2 },
      { topic: 'orders', group: 'billing', partition: 0, position: 5 },
    ]);
    expect(await bus.listProgress()).toHaveLength(3);
    expect(Date.parse((await bus.listProgress('users'))[0]!.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('removes by count and by age, but holds what a registered group has not processed', async () => {
    const bus = kit.openBus(kit.newSchema());
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    const now = Date.parse('2025-06-01T00:00:00.000Z');
    await bus.publish(
      Array.from({ length: 6 }, (_, i) => outgoing('orders', 0, { occurredAt: at(now - (6 - i) * 60_000) })),
    );
    await bus.publish([outgoing('orders', 1, { occurredAt: at(now) })]);
    const positions = (await bus.read('orders', 0, 0, 10)).map((record) => record.position);

    // No group registered: the policy alone decides. Keep the newest 4 of partition 0.
    expect(await bus.applyRetention('orders', { maxMessages: 4 }, now)).toEqual([
      { topic: 'orders', partition: 0, removed: 2, held: 0, laggingGroup: null },
      { topic: 'orders', partition: 1, removed: 0, held: 0, laggingGroup: null },
    ]);
    expect((await bus.read('orders', 0, 0, 10)).map((r) => r.position)).toEqual(positions.slice(2));

    // billing has done the 3rd message; audit is registered on the topic but never read partition 0.
    await bus.recordProgress('orders', 'billing', 0, positions[2]!);
    await bus.recordProgress('orders', 'audit', 1, 1_000_000);
    expect(await bus.applyRetention('orders', { maxAgeMs: 150_000 }, now)).toEqual([
      { topic: 'orders', partition: 0, removed: 0, held: 2, laggingGroup: 'audit' },
      { topic: 'orders', partition: 1, removed: 0, held: 0, laggingGroup: null },
    ]);
    await bus.recordProgress('orders', 'audit', 0, positions[5]!);
    expect((await bus.applyRetention('orders', { maxAgeMs: 150_000 }, now))[0]).toEqual({
      topic: 'orders',
      partition: 0,
      removed: 1,
      held: 1,
      laggingGroup: 'billing',
    });
    expect((await bus.read('orders', 0, 0, 10)).map((r) => r.position)).toEqual(positions.slice(3));
    expect(await bus.listRetention('orders')).toEqual([
      { topic: 'orders', partition: 0, removed: 1, held: 1, laggingGroup: 'billing' },
      { topic: 'orders', partition: 1, removed: 0, held: 0, laggingGroup: null },
    ]);
    expect(await bus.listRetention()).toHaveLength(2);
    expect(await bus.listRetention('other')).toEqual([]);

    // Without limits nothing is marked; bad input is refused.
    expect((await bus.applyRetention('orders', {}, now))[0]).toMatchObject({ removed: 0, held: 0 });
    await expect(bus.applyRetention('orders', { maxMessages: -1 }, now)).rejects.toThrow(/maxMessages/);
    await expect(bus.applyRetention('missing', { maxMessages: 1 }, now)).rejects.toThrow(/does not exist/);
  });
});
