import { expect, it } from 'vitest';
import { describePostgres } from './conformance/postgresTestDatabase.ts';
import { change, conflictOf, event, useTestKit } from './conformance/testKit.ts';

describePostgres('recordCommands', () => {
  const kit = useTestKit();
  const accepted = { status: 'accepted', version: 1, eventIds: ['e1'] } as const;

  it('records a command outcome once and rejects a second commit of the same command id', async () => {
    const store = kit.openStore(kit.newSchema());
    expect(await store.findCommand('c1')).toBeUndefined();
    await store.commit(
      change({ commands: [{ commandId: 'c1', entity: 'show', entityId: 's1', outcome: accepted }] }),
    );
    expect(await store.findCommand('c1')).toEqual({
      commandId: 'c1',
      entity: 'show',
      entityId: 's1',
      outcome: accepted,
    });
    const rejected = {
      status: 'rejected',
      code: 'SoldOut',
      message: 'no seats',
      details: { left: 0 },
    } as const;
    expect(
      await conflictOf(
        store.commit(
          change({
            commands: [
              { commandId: 'c2', entity: 'show', entityId: 's1', outcome: rejected },
              { commandId: 'c1', entity: 'show', entityId: 's1', outcome: rejected },
            ],
            appends: [{ entity: 'show', entityId: 's1', expectedVersion: 0, events: [event('Opened')] }],
          }),
        ),
      ),
    ).toEqual({ kind: 'command', commandId: 'c1' });
    expect(await store.findCommand('c2')).toBeUndefined();
    expect(await store.readStream('show', 's1', 0)).toEqual([]);
  });

  it('treats a command id repeated in one change as a conflict', async () => {
    const store = kit.openStore(kit.newSchema());
    const command = { commandId: 'c1', entity: 'show', entityId: 's1', outcome: accepted };
    expect(await conflictOf(store.commit(change({ commands: [command, command] })))).toEqual({
      kind: 'command',
      commandId: 'c1',
    });
  });
});
