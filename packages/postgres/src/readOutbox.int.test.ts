import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, outgoing, useTestKit } from './conformance/testKit.ts';

const refused = { name: 'ParleyError', code: 'PARTITION_OUT_OF_RANGE', message: 'partition 1 is outside' };

describePostgres('listOutbox and getOutbox', () => {
  const kit = useTestKit();

  it('lists failed rows by default, filters by status, topic and seq, and gets one row', async () => {
    const store = kit.openStore(kit.newSchema());
    const messages = [
      outgoing('orders', 1, { key: 'a' }),
      outgoing('orders', 1, { key: 'b' }),
      outgoing('refunds', 1, { key: 'c' }),
      outgoing('orders', 1, { key: 'd' }),
    ];
    await store.commit(change({ outgoing: messages }));
    const seqs = (await store.fetchOutbox(10)).map((r) => r.seq);
    await store.setAsideOutbox(
      [0, 2, 3].map((i) => ({ seq: seqs[i]!, error: refused })),
      '2025-01-02T00:00:00.000Z',
    );
    await store.discardOutbox(seqs[3]!, 'ops', '2025-01-03T00:00:00.000Z');

    const failed = await store.listOutbox();
    expect(failed.map((e) => e.key)).toEqual(['a', 'c']);
    expect(failed[0]).toEqual({
      ...messages[0],
      seq: seqs[0],
      status: 'failed',
      attempts: 1,
      error: refused,
      failedAt: '2025-01-02T00:00:00.000Z',
      actedBy: null,
      actedAt: null,
    });
    expect((await store.listOutbox({ status: 'pending' })).map((e) => e.key)).toEqual(['b']);
    expect((await store.listOutbox({ status: ['failed', 'discarded'] })).map((e) => e.key)).toEqual([
      'a',
      'c',
      'd',
    ]);
    expect((await store.listOutbox({ topic: 'refunds' })).map((e) => e.key)).toEqual(['c']);
    expect((await store.listOutbox({ after: seqs[0]! })).map((e) => e.key)).toEqual(['c']);
    expect((await store.listOutbox({ limit: 1 })).map((e) => e.key)).toEqual(['a']);
    expect(await store.getOutbox(seqs[1]!)).toMatchObject({ key: 'b', status: 'pending', error: null });
    expect(await store.getOutbox(9999)).toBeUndefined();
    await expect(store.listOutbox({ limit: -1 })).rejects.toThrow(/limit/);
  });
});
