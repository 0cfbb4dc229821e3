import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, outgoing, useTestKit } from './conformance/testKit.ts';

const refused = { name: 'ParleyError', code: 'UNKNOWN_TOPIC', message: 'topic "orders" does not exist' };

describePostgres('setAsideOutbox and resolveOutbox', () => {
  const kit = useTestKit();

  it('sets pending rows aside so the relay reads past them, and leaves other rows alone', async () => {
    const store = kit.openStore(kit.newSchema());
    await store.commit(change({ outgoing: ['a', 'b', 'c'].map((key) => outgoing('orders', 0, { key })) }));
    const [a, b, c] = await store.fetchOutbox(10);
    await store.setAsideOutbox([{ seq: b!.seq, error: refused }], '2025-01-02T00:00:00.000Z');
    expect((await store.fetchOutbox(10)).map((r) => r.key)).toEqual(['a', 'c']);
    expect(await store.getOutbox(b!.seq)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: refused,
      failedAt: '2025-01-02T00:00:00.000Z',
      actedBy: null,
    });
    await store.markSent([a!.seq]);
    await store.setAsideOutbox(
      [
        { seq: b!.seq, error: refused },
        { seq: a!.seq, error: refused },
      ],
      '2025-01-03T00:00:00.000Z',
    );
    expect(await store.getOutbox(b!.seq)).toMatchObject({
      attempts: 1,
      failedAt: '2025-01-02T00:00:00.000Z',
    });
    expect(await store.getOutbox(a!.seq)).toBeUndefined();
    expect((await store.fetchOutbox(10)).map((r) => r.seq)).toEqual([c!.seq]);
  });

  it('discards only a failed row, recording who did it', async () => {
    const store = kit.openStore(kit.newSchema());
    await store.commit(change({ outgoing: ['a', 'b'].map((key) => outgoing('orders', 0, { key })) }));
    const [a, b] = await store.fetchOutbox(10);
    await store.setAsideOutbox([{ seq: a!.seq, error: refused }], '2025-01-02T00:00:00.000Z');
    expect(await store.discardOutbox(b!.seq, 'ops', '2025-01-03T00:00:00.000Z')).toBeUndefined();
    expect(await store.getOutbox(b!.seq)).toMatchObject({ status: 'pending' });
    expect(await store.discardOutbox(a!.seq, 'ops', '2025-01-03T00:00:00.000Z')).toMatchObject({
      seq: a!.seq,
      status: 'discarded',
      actedBy: 'ops',
      actedAt: '2025-01-03T00:00:00.000Z',
      error: refused,
    });
    expect(await store.discardOutbox(a!.seq, 'ops', '2025-01-04T00:00:00.000Z')).toBeUndefined();
    expect(await store.retryOutbox(a!.seq, 'ops', '2025-01-04T00:00:00.000Z')).toBeUndefined();
    expect((await store.fetchOutbox(10)).map((r) => r.key)).toEqual(['b']);
  });

  it('puts a failed row back at its old place and wakes the relay of another connection', async () => {
    const schema = kit.newSchema();
    const store = kit.openStore(schema);
    const other = kit.openStore(schema);
    await store.commit(change({ outgoing: ['a', 'b'].map((key) => outgoing('orders', 0, { key })) }));
    const [a] = await store.fetchOutbox(10);
    await store.setAsideOutbox([{ seq: a!.seq, error: refused }], '2025-01-02T00:00:00.000Z');
    await other.fetchOutbox(1);
    const woken = other.waitForChange(60_000, undefined, ['outbox']).then(() => true);
    expect(await store.retryOutbox(a!.seq, 'ops', '2025-01-03T00:00:00.000Z')).toMatchObject({
      status: 'pending',
      attempts: 1,
      actedBy: 'ops',
    });
    expect(await woken).toBe(true);
    expect((await store.fetchOutbox(10)).map((r) => r.key)).toEqual(['a', 'b']);
    expect(await store.retryOutbox(a!.seq, 'ops', '2025-01-03T00:00:00.000Z')).toBeUndefined();
  });
});
