import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, conflictOf, event, outgoing, useTestKit } from './conformance/testKit.ts';

describePostgres('appendEvents', () => {
  const kit = useTestKit();

  it('appends events, chaining versions, and reads them back by stream and by entity', async () => {
    const store = kit.openStore(kit.newSchema());
    await store.commit(
      change({
        appends: [
          { entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened', { n: 1 })] },
          { entity: 'show', entityId: 's2', expectedVersion: 0, events: [event('Opened', { n: 2 })] },
          { entity: 'show', entityId: 's1', expectedVersion: 1, events: [event('Sold'), event('Sold')] },
          { entity: 'venue', entityId: 'v1', expectedVersion: 0, events: [event('Built')] },
        ],
      }),
    );
    const stream = await store.readStream('show', 's1', 0);
    expect(stream.map((e) => [e.type, e.version])).toEqual([
      ['Opened', 1],
      ['Sold', 2],
      ['Sold', 3],
    ]);
    expect(stream[0]).toMatchObject({ entity: 'show', entityId: 's1', data: { n: 1 } });
    expect(stream[0]?.metadata).toEqual({ correlationId: 'corr-1' });
    expect((await store.readStream('show', 's1', 2)).map((e) => e.version)).toEqual([3]);

    const shows = await store.readEvents('show', 0, 10);
    expect(shows.map((e) => [e.entityId, e.version])).toEqual([
      ['s1', 1],
      ['s2', 1],
      ['s1', 2],
      ['s1', 3],
    ]);
    const positions = shows.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(await store.readEvents('show', positions[1] ?? 0, 1)).toHaveLength(1);
    expect(await store.lastEventPosition('show')).toBe(positions[3]);
    expect(await store.lastEventPosition('nothing')).toBe(0);
    expect(await store.countEventsAfter('show', positions[0] ?? 0)).toBe(3);
  });

  it('rejects a stale stream version and writes nothing of the change', async () => {
    const store = kit.openStore(kit.newSchema());
    await store.commit(
      change({
        appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened')] }],
      }),
    );
    const conflict = await conflictOf(
      store.commit(
        change({
          appends: [
            { entity: 'show', entityId: 's2', expectedVersion: 0, events: [event('Opened')] },
            { entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened')] },
          ],
          documents: [{ model: 'shows', id: 's1', doc: { title: 'Hamlet' } }],
          outgoing: [outgoing('orders')],
          commands: [
            {
              commandId: 'c1',
              entity: 'show',
              entityId: 's1',
              outcome: { status: 'accepted', version: 1, eventIds: [] },
            },
          ],
        }),
      ),
    );
    expect(conflict).toEqual({ kind: 'stream', entity: 'show', entityId: 's1', expectedVersion: 0 });
    expect(await store.readStream('show', 's2', 0)).toEqual([]);
    expect(await store.getDocument('shows', 's1')).toBeUndefined();
    expect(await store.fetchOutbox(10)).toEqual([]);
    expect(await store.findCommand('c1')).toBeUndefined();
  });

  it('checks appends without events and appends to one stream that do not chain', async () => {
    const store = kit.openStore(kit.newSchema());
    expect(
      await conflictOf(
        store.commit(
          change({ appends: [{ entity: 'show', entityId: 's1', expectedVersion: 2, events: [] }] }),
        ),
      ),
    ).toMatchObject({ kind: 'stream', expectedVersion: 2 });
    expect(
      await conflictOf(
        store.commit(
          change({
            appends: [
              { entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened')] },
              { entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened')] },
            ],
          }),
        ),
      ),
    ).toMatchObject({ kind: 'stream', entityId: 's1', expectedVersion: 0 });
    expect(await store.readStream('show', 's1', 0)).toEqual([]);
  });

  it('lets exactly one of many concurrent writers of a stream win each version', async () => {
    const schema = kit.newSchema();
    const stores = [kit.openStore(schema), kit.openStore(schema), kit.openStore(schema)];
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) =>
        stores[i % 3]!.commit(
          change({
            appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened')] }],
          }),
        ),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await stores[0]!.readStream('show', 's1', 0)).toHaveLength(1);
  });
});
