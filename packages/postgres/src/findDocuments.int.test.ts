import { emptyChange } from '@parley/core';
import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { useTestKit } from './conformance/testKit.ts';

describePostgres('findDocuments', () => {
  const kit = useTestKit();

  it('pages through more documents than the default limit with after, in id (byte) order', async () => {
    const store = kit.openStore(kit.newSchema());
    // Upper case sorts before lower case and 'é' after 'z' in byte order, whatever the database's collation.
    const ids = [...Array.from({ length: 250 }, (_, i) => `seat-${String(i).padStart(3, '0')}`), 'Z', 'é'];
    await store.commit({
      ...emptyChange,
      documents: [
        ...ids.map((id, i) => ({
          model: 'seats',
          id,
          doc: { show: 's1', row: i % 2 === 0 ? 'even' : 'odd' },
        })),
        { model: 'seats', id: 'seat-x', doc: { show: 's2', row: 'even' } },
        { model: 'rows', id: 'seat-000', doc: { show: 's1' } },
      ],
    });
    const wanted = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

    const first = await store.findDocuments('seats', { where: { show: 's1' } });
    expect(first.map((d) => d.id)).toEqual(wanted.slice(0, 100));

    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await store.findDocuments('seats', { where: { show: 's1' }, limit: 64, after });
      seen.push(...page.map((d) => d.id));
      if (page.length < 64) break;
      after = page.at(-1)?.id;
    }
    expect(seen).toEqual(wanted);

    // `after` need not be an existing id, combines with every kind of condition, and past the end is empty.
    expect((await store.findDocuments('seats', { after: 'seat-0995', limit: 3 })).map((d) => d.id)).toEqual([
      'seat-100',
      'seat-101',
      'seat-102',
    ]);
    expect(
      (await store.findDocuments('seats', { where: { row: 'odd', show: 's1' }, after: 'seat-245' })).map(
        (d) => d.id,
      ),
    ).toEqual(['seat-247', 'seat-249', 'é']);
    expect(await store.findDocuments('seats', { after: 'é' })).toEqual([]);
    await expect(store.findDocuments('seats', { after: 7 as unknown as string })).rejects.toThrow(
      /after must be a document id/,
    );
  });
});
