import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, useTestKit } from './conformance/testKit.ts';

describePostgres('writeDocuments and findDocuments', () => {
  const kit = useTestKit();

  it('sets, replaces, deletes and finds documents by top-level fields', async () => {
    const store = kit.openStore(kit.newSchema());
    await store.commit(
      change({
        documents: [
          { model: 'venues', id: 'b', doc: { status: 'open', seats: 10, vip: true, note: null } },
          { model: 'venues', id: 'a', doc: { status: 'closed', seats: 1 } },
          { model: 'venues', id: 'c', doc: { status: 'open', seats: 10.0, vip: 1 } },
          { model: 'shows', id: 'a', doc: { status: 'open' } },
        ],
      }),
    );
    await store.commit(change({ documents: [{ model: 'venues', id: 'a', doc: { status: 'open' } }] }));
    expect(await store.getDocument('venues', 'a')).toEqual({ status: 'open' });
    expect(await store.getDocument('venues', 'zz')).toBeUndefined();
    const ids = async (where: Record<string, string | number | boolean | null>, limit?: number) =>
      (await store.findDocuments('venues', { where, ...(limit === undefined ? {} : { limit }) })).map(
        (found) => found.id,
      );
    expect(await ids({ status: 'open' })).toEqual(['a', 'b', 'c']);
    expect(await ids({ status: 'open' }, 2)).toEqual(['a', 'b']);
    expect(await ids({ seats: 10 })).toEqual(['b', 'c']);
    expect(await ids({ vip: true })).toEqual(['b']);
    expect(await ids({ vip: 1 })).toEqual(['c']);
    expect(await ids({ note: null })).toEqual(['a', 'b', 'c']);
    expect(await ids({ status: 'open', seats: 10, vip: true })).toEqual(['b']);
    expect(await store.findDocuments('venues')).toHaveLength(3);
    await expect(store.findDocuments('venues', { where: { 'a.b': 1 } })).rejects.toThrow(/letters/);

    await store.commit(
      change({
        documents: [
          { model: 'venues', id: 'b', doc: null },
          { model: 'venues', id: 'c', doc: { status: 'gone' } },
          { model: 'venues', id: 'c', doc: { status: 'back' } },
          { model: 'venues', id: 'd', doc: { status: 'new' } },
          { model: 'venues', id: 'd', doc: null },
        ],
      }),
    );
    expect(await store.findDocuments('venues')).toEqual([
      { id: 'a', doc: { status: 'open' } },
      { id: 'c', doc: { status: 'back' } },
    ]);
  });
});
