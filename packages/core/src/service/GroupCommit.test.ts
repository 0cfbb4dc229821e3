import { describe, expect, it } from 'vitest';
import { emptyChange, type Change } from '../ports/Change.ts';
import { GroupCommit } from './GroupCommit.ts';

function append(entityId: string): Change {
  return {
    ...emptyChange,
    appends: [{ entity: 'account', entityId, expectedVersion: 0, events: [] }],
    commands: [{ commandId: `cmd-${entityId}`, entity: 'account', entityId, outcome: accepted }],
  };
}
const accepted = { status: 'accepted', version: 1, eventIds: [] } as const;
const ids = (change: Change) => change.appends.map((a) => a.entityId);

/** A store whose commits take a turn of the event loop and fail for the streams in `failing`. */
function slowStore(failing: ReadonlySet<string> = new Set()) {
  const commits: string[][] = [];
  return {
    commits,
    commit: async (change: Change) => {
      commits.push(ids(change));
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (ids(change).some((id) => failing.has(id))) throw new Error('conflict');
    },
  };
}

describe('GroupCommit', () => {
  it('commits a lone change at once, alone', async () => {
    const store = slowStore();
    await new GroupCommit(store).commit(append('a'));
    expect(store.commits).toEqual([['a']]);
  });

  it('merges the changes that arrive while a commit is under way into one, in arrival order', async () => {
    const store = slowStore();
    const group = new GroupCommit(store);
    const first = group.commit(append('a'));
    const rest = ['b', 'c', 'd'].map((id) => group.commit(append(id)));
    await Promise.all([first, ...rest]);
    expect(store.commits).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('when a merged commit fails, commits each change alone and fails only the one that fails alone', async () => {
    const store = slowStore(new Set(['c']));
    const group = new GroupCommit(store);
    const outcomes = await Promise.allSettled(['a', 'b', 'c', 'd'].map((id) => group.commit(append(id))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(store.commits).toEqual([['a'], ['b', 'c', 'd'], ['b'], ['c'], ['d']]);
  });

  it('keeps committing what arrives after a group, and starts again after going idle', async () => {
    const store = slowStore();
    const group = new GroupCommit(store);
    await Promise.all([group.commit(append('a')), group.commit(append('b'))]);
    await group.commit(append('c'));
    expect(store.commits).toEqual([['a'], ['b'], ['c']]);
  });
});
