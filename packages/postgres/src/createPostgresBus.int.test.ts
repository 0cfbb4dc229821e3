import { expect, it } from 'vitest';
import { createPostgresBus } from './createPostgresBus.ts';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { outgoing, useTestKit } from './conformance/testKit.ts';

describePostgres('createPostgresBus and appendMessages', () => {
  const kit = useTestKit();

  it('describes the database without its password and takes the schema from the URL', () => {
    const bus = createPostgresBus('postgres://app:secret@db.example:5432/app?schema=shop&sslmode=disable');
    expect(bus.description).toBe('postgres://app@db.example:5432/app?schema=shop');
    expect(bus.schema).toBe('shop');
    expect(createPostgresBus({ connectionString: 'postgres://db/app' }, { schema: 'x' }).schema).toBe('x');
    expect(() => createPostgresBus('mysql://db/app')).toThrow(/postgres:\/\//);
  });

  it('creates a topic once and refuses another partition count', async () => {
    const schema = kit.newSchema();
    const bus = kit.openBus(schema);
    await bus.ensureTopic({ name: 'orders', partitions: 4 });
    await bus.ensureTopic({ name: 'orders', partitions: 4 });
    await expect(bus.ensureTopic({ name: 'orders', partitions: 2 })).rejects.toThrow(/4 partitions, not 2/);
    await expect(kit.openBus(schema).ensureTopic({ name: 'orders', partitions: 8 })).rejects.toThrow(
      /per-key order/,
    );
    await expect(bus.ensureTopic({ name: 'x', partitions: 0 })).rejects.toThrow(/positive integer/);
    await bus.ensureTopic({ name: 'audit', partitions: 1 });
    expect(await bus.listTopics()).toEqual([
      { name: 'audit', partitions: 1 },
      { name: 'orders', partitions: 4 },
    ]);
  });

  it('reads each partition in publish order, after a position, up to a limit, and counts', async () => {
    const bus = kit.openBus(kit.newSchema());
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    const messages = [
      outgoing('orders', 0),
      outgoing('orders', 1),
      outgoing('orders', 0),
      outgoing('orders', 0),
    ];
    await bus.publish(messages);
    const zero = await bus.read('orders', 0, 0, 10);
    expect(zero.map((record) => record.id)).toEqual([messages[0]!.id, messages[2]!.id, messages[3]!.id]);
    expect(zero[0]).toMatchObject({
      topic: 'orders',
      partition: 0,
      type: 'SeatReserved',
      key: 'show-1',
      payload: '{"seat":"A1"}',
      headers: { correlationId: 'corr-1' },
      occurredAt: '2025-01-01T00:00:00.000Z',
    });
    expect((await bus.read('orders', 0, zero[0]!.position, 1)).map((r) => r.id)).toEqual([messages[2]!.id]);
    expect(await bus.endPosition('orders', 0)).toBe(zero[2]!.position);
    expect(await bus.endPosition('orders', 1)).toBeGreaterThan(0);
    expect(await bus.endPosition('nothing', 0)).toBe(0);
    expect(await bus.countAfter('orders', 0, zero[0]!.position)).toBe(2);
    expect(await bus.countAfter('orders', 1, 0)).toBe(1);
  });

  it('drops a message whose id is already in the topic', async () => {
    const bus = kit.openBus(kit.newSchema());
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    const message = outgoing('orders');
    await bus.publish([message, message]);
    await bus.publish([message, outgoing('orders')]);
    expect(await bus.read('orders', 0, 0, 10)).toHaveLength(2);
  });

  it('publishes all or nothing, and names unknown topics and partitions', async () => {
    const bus = kit.openBus(kit.newSchema());
    await bus.ensureTopic({ name: 'orders', partitions: 2 });
    await expect(bus.publish([outgoing('orders'), outgoing('missing')])).rejects.toThrow(
      /"missing" does not exist/,
    );
    await expect(bus.publish([outgoing('orders'), outgoing('orders', 2)])).rejects.toThrow(/0 to 1/);
    expect(await bus.read('orders', 0, 0, 10)).toEqual([]);
  });

  it('wakes a waiter when another connection publishes, and lets it time out otherwise', async () => {
    const schema = kit.newSchema();
    const [bus, other] = [kit.openBus(schema), kit.openBus(schema)];
    await bus.ensureTopic({ name: 'orders', partitions: 1 });
    await bus.ensureTopic({ name: 'audit', partitions: 1 });
    // Connecting the listener wakes every waiter (it may have missed notifications); let that happen first.
    await bus.waitForMessages(['orders'], 300);
    const started = Date.now();
    await bus.waitForMessages(['orders'], 100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    const woken = bus.waitForMessages(['orders'], 10_000);
    const unrelated = bus.waitForMessages(['audit'], 400).then(() => Date.now());
    const publishedAt = Date.now();
    await other.publish([outgoing('orders')]);
    await woken;
    expect(Date.now() - publishedAt).toBeLessThan(2000);
    expect((await unrelated) - publishedAt).toBeGreaterThanOrEqual(300);
  });

  it('resolves waiters on abort and close and rejects calls once closed', async () => {
    const bus = kit.openBus(kit.newSchema());
    const controller = new AbortController();
    const aborted = bus.waitForMessages(['orders'], 60_000, controller.signal);
    controller.abort();
    await aborted;
    const closed = bus.waitForMessages(['orders'], 60_000);
    await bus.close();
    await closed;
    await bus.waitForMessages(['orders'], 60_000);
    await expect(bus.listTopics()).rejects.toThrow(/closed/);
    await expect(bus.publish([outgoing('orders')])).rejects.toThrow(/closed/);
  });
});
