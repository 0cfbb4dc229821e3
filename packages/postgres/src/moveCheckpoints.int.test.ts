import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, conflictOf, event, useTestKit } from './conformance/testKit.ts';

describePostgres('moveCheckpoints', () => {
  const kit = useTestKit();
  const at = (position: number, expectedVersion: number, doneAbove: number[] = [], partition = 0) =>
    change({
      checkpoints: [{ consumer: 'c', source: 'orders', partition, position, expectedVersion, doneAbove }],
    });

  it('moves checkpoints by compare-and-set and keeps only done marks above the position', async () => {
    const store = kit.openStore(kit.newSchema());
    expect(await store.loadCursor('c', 'orders')).toEqual([]);
    await store.commit(at(5, 0, [7, 9, 4]));
    expect(await store.loadCursor('c', 'orders')).toEqual([
      { partition: 0, position: 5, version: 1, doneAbove: [7, 9] },
    ]);
    expect(await conflictOf(store.commit(at(6, 0)))).toEqual({
      kind: 'checkpoint',
      consumer: 'c',
      source: 'orders',
      partition: 0,
      expectedVersion: 0,
    });
    await store.commit(at(8, 1, [12, 9, 3]));
    expect(await store.loadCursor('c', 'orders')).toEqual([
      { partition: 0, position: 8, version: 2, doneAbove: [9, 12] },
    ]);
    expect(await conflictOf(store.commit(at(20, 1)))).toMatchObject({
      kind: 'checkpoint',
      expectedVersion: 1,
    });
    await store.commit(at(12, 2));
    await store.commit(at(1, 0, [], 3));
    expect(await store.loadCursor('c', 'orders')).toEqual([
      { partition: 0, position: 12, version: 3, doneAbove: [] },
      { partition: 3, position: 1, version: 1, doneAbove: [] },
    ]);
    expect(await store.listCursors()).toEqual([
      { consumer: 'c', source: 'orders', partition: 0, position: 12 },
      { consumer: 'c', source: 'orders', partition: 3, position: 1 },
    ]);
  });

  it('applies several writes of one change, and names the first that lost', async () => {
    const store = kit.openStore(kit.newSchema());
    await store.commit(
      change({
        checkpoints: [
          { consumer: 'c', source: 'orders', partition: 0, position: 1, expectedVersion: 0, doneAbove: [] },
          { consumer: 'c', source: 'orders', partition: 0, position: 2, expectedVersion: 1, doneAbove: [4] },
          { consumer: 'c', source: 'orders', partition: 1, position: 3, expectedVersion: 0, doneAbove: [] },
        ],
      }),
    );
    expect(await store.loadCursor('c', 'orders')).toEqual([
      { partition: 0, position: 2, version: 2, doneAbove: [4] },
      { partition: 1, position: 3, version: 1, doneAbove: [] },
    ]);
    expect(
      await conflictOf(
        store.commit(
          change({
            checkpoints: [
              {
                consumer: 'c',
                source: 'orders',
                partition: 1,
                position: 4,
                expectedVersion: 1,
                doneAbove: [],
              },
              {
                consumer: 'c',
                source: 'orders',
                partition: 0,
                position: 5,
                expectedVersion: 1,
                doneAbove: [],
              },
            ],
          }),
        ),
      ),
    ).toMatchObject({ partition: 0, expectedVersion: 1 });
    expect((await store.loadCursor('c', 'orders'))[1]).toMatchObject({ position: 3, version: 1 });
  });

  it('reports a checkpoint conflict, not a duplicate event id, when a message is handled twice', async () => {
    const store = kit.openStore(kit.newSchema());
    const opened = event('Opened');
    const handled = (expectedVersion: number) =>
      change({
        checkpoints: [
          { consumer: 'c', source: 'orders', partition: 0, position: 1, expectedVersion, doneAbove: [] },
        ],
        appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [opened] }],
      });
    await store.commit(handled(0));
    expect(await conflictOf(store.commit(handled(0)))).toMatchObject({ kind: 'checkpoint' });
  });

  it('lets one of several concurrent movers of a checkpoint win', async () => {
    const schema = kit.newSchema();
    const stores = [kit.openStore(schema), kit.openStore(schema)];
    await stores[0]!.commit(at(1, 0));
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => stores[i % 2]!.commit(at(10 + i, 1))),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect((await stores[1]!.loadCursor('c', 'orders'))[0]).toMatchObject({ version: 2 });
  });
});
