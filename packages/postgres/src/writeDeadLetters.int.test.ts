import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, deadLetter, useTestKit } from './conformance/testKit.ts';

describePostgres('writeDeadLetters and readDeadLetters', () => {
  const kit = useTestKit();

  it('inserts, replaces and deletes whole records', async () => {
    const store = kit.openStore(kit.newSchema());
    const first = deadLetter('dl-1', {
      error: { name: 'TypeError', message: 'bad', stack: 'at x', code: 'E1' },
      edits: [{ at: '2025-01-02T00:00:00.000Z', by: 'ops', before: '{}', after: '{"a":1}' }],
      message: { payload: '{not json \u0000' },
    });
    await store.commit(change({ deadLetters: [first] }));
    expect(await store.getDeadLetter('dl-1')).toEqual(first);
    const replaced = { ...first, status: 'redriven' as const, attempts: 0, version: 2 };
    await store.commit(change({ deadLetters: [replaced] }));
    expect(await store.getDeadLetter('dl-1')).toEqual(replaced);
    await store.commit(change({ deadLetterDeletes: ['dl-1', 'dl-unknown'] }));
    expect(await store.getDeadLetter('dl-1')).toBeUndefined();
  });

  it('refuses an action without a due time, writing nothing', async () => {
    const store = kit.openStore(kit.newSchema());
    await expect(
      store.commit(
        change({
          documents: [{ model: 'm', id: '1', doc: {} }],
          deadLetters: [deadLetter('dl-1', { action: 'retry', dueAt: null })],
        }),
      ),
    ).rejects.toThrow(/needs a dueAt/);
    expect(await store.getDocument('m', '1')).toBeUndefined();
  });

  it('filters by every field, ordered by id, and pages with after and limit', async () => {
    const store = kit.openStore(kit.newSchema());
    await store.commit(
      change({
        deadLetters: [
          deadLetter('b', { consumer: 'shipping', message: { type: 'OrderShipped', key: 'k2' } }),
          deadLetter('a', { lastFailedAt: '2025-01-03T00:00:00.000Z' }),
          deadLetter('C', { status: 'skipped', reason: 'invalid' }),
          deadLetter('d', { error: { name: 'Timeout_Error', message: '100% late' } }),
        ],
      }),
    );
    const ids = async (filter: Parameters<typeof store.listDeadLetters>[0]) =>
      (await store.listDeadLetters(filter)).map((found) => found.id);
    expect(await ids({})).toEqual(['C', 'a', 'b', 'd']);
    expect(await ids({ consumer: 'shipping' })).toEqual(['b']);
    expect(await ids({ type: 'OrderShipped' })).toEqual(['b']);
    expect(await ids({ key: 'k2' })).toEqual(['b']);
    expect(await ids({ status: 'skipped' })).toEqual(['C']);
    expect(await ids({ status: ['skipped', 'parked'], consumer: 'billing' })).toEqual(['C', 'a', 'd']);
    expect(await ids({ reason: 'invalid' })).toEqual(['C']);
    expect(await ids({ error: 'timeout_' })).toEqual(['d']);
    expect(await ids({ error: '100%' })).toEqual(['d']);
    expect(await ids({ error: '_e' })).toEqual(['d']);
    expect(await ids({ error: 'BOOM' })).toEqual(['C', 'a', 'b']);
    expect(await ids({ since: '2025-01-02T00:00:00.000Z' })).toEqual(['a']);
    expect(await ids({ until: '2025-01-01T00:00:00.000Z' })).toEqual(['C', 'b', 'd']);
    expect(await ids({ after: 'a', limit: 1 })).toEqual(['b']);
    await expect(store.listDeadLetters({ limit: -1 })).rejects.toThrow(/limit/);
  });

  it('returns the actions of a consumer and source that are due, earliest first', async () => {
    const store = kit.openStore(kit.newSchema());
    expect(await store.nextDeadLetterDue('billing', 'orders')).toBeUndefined();
    await store.commit(
      change({
        deadLetters: [
          deadLetter('late', { action: 'retry', dueAt: 300, status: 'retrying' }),
          deadLetter('early', { action: 'drop', dueAt: 100.2 }),
          deadLetter('idle', { action: null }),
          deadLetter('other', { action: 'retry', dueAt: 50, consumer: 'shipping' }),
        ],
      }),
    );
    expect(await store.nextDeadLetterDue('billing', 'orders')).toBe(101);
    expect((await store.dueDeadLetters('billing', 'orders', 101.5, 10)).map((d) => d.id)).toEqual(['early']);
    expect((await store.dueDeadLetters('billing', 'orders', 1000, 10)).map((d) => d.id)).toEqual([
      'early',
      'late',
    ]);
    expect(await store.dueDeadLetters('billing', 'orders', 100, 10)).toEqual([]);
    expect(await store.dueDeadLetters('billing', 'elsewhere', 1000, 10)).toEqual([]);
  });
});
