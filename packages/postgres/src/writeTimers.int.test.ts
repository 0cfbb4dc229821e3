import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, conflictOf, outgoing, useTestKit } from './conformance/testKit.ts';

describePostgres('writeTimers and fireTimers', () => {
  const kit = useTestKit();

  it('lists due timers earliest first, ignores a duplicate id and deletes fired ones', async () => {
    const store = kit.openStore(kit.newSchema());
    const [a, b, c] = [outgoing('reminders'), outgoing('reminders'), outgoing('reminders')];
    expect(await store.nextTimerDue()).toBeUndefined();
    await store.commit(
      change({
        timers: [
          { id: 't-c', dueAt: 300, message: c },
          { id: 't-a', dueAt: 100, message: a },
          { id: 't-b', dueAt: 100, message: b },
        ],
      }),
    );
    await store.commit(change({ timers: [{ id: 't-b', dueAt: 50, message: a }] }));
    expect(await store.nextTimerDue()).toBe(100);
    expect(await store.dueTimers(100, 10)).toEqual([
      { id: 't-a', dueAt: 100, message: a },
      { id: 't-b', dueAt: 100, message: b },
    ]);
    expect(await store.dueTimers(1000, 1)).toHaveLength(1);
    await store.commit(change({ firedTimers: ['t-b', 't-c'] }));
    expect((await store.dueTimers(1000, 10)).map((t) => t.id)).toEqual(['t-a']);
  });

  it('rounds a fractional due time up, so nothing comes due early, and refuses a non-finite one', async () => {
    const store = kit.openStore(kit.newSchema());
    await store.commit(change({ timers: [{ id: 't1', dueAt: 10.2, message: outgoing('r') }] }));
    expect(await store.dueTimers(10.9, 10)).toEqual([]);
    expect((await store.dueTimers(11, 10)).map((t) => t.dueAt)).toEqual([11]);
    await expect(
      store.commit(change({ timers: [{ id: 't2', dueAt: Number.NaN, message: outgoing('r') }] })),
    ).rejects.toThrow(/finite/);
  });

  it('reports a timer fired twice as a conflict and rolls back the change, earlier timers included', async () => {
    const schema = kit.newSchema();
    const [store, other] = [kit.openStore(schema), kit.openStore(schema)];
    await store.commit(
      change({
        timers: [
          { id: 't1', dueAt: 100, message: outgoing('r') },
          { id: 't2', dueAt: 100, message: outgoing('r') },
        ],
      }),
    );
    await store.commit(change({ firedTimers: ['t1'] }));
    expect(
      await conflictOf(
        other.commit(change({ firedTimers: ['t2', 't1'], documents: [{ model: 'm', id: '1', doc: {} }] })),
      ),
    ).toEqual({ kind: 'timer', timerId: 't1' });
    expect((await store.dueTimers(1000, 10)).map((t) => t.id)).toEqual(['t2']);
    expect(await store.getDocument('m', '1')).toBeUndefined();
    const fired = await Promise.allSettled([
      store.commit(change({ firedTimers: ['t2'] })),
      other.commit(change({ firedTimers: ['t2'] })),
    ]);
    expect(fired.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });
});
