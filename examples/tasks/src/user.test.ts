import { foldEvents, isRejection } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { user, type UserEvent, type UserState } from './user.ts';

const context = { entityId: 'alice', commandId: 'c-1', now: new Date(0) };
const given = (...events: UserEvent[]): UserState =>
  foldEvents(
    user,
    { state: user.initialState(), version: 0 },
    events.map((e, i) => ({ ...e, version: i + 1 })),
  ).state as UserState;

describe('user', () => {
  it('claims at once when waiting', () => {
    const waiting = given({ type: 'StartedWaiting', data: {} });
    expect(user.decide(waiting, { type: 'TryClaim', data: { taskId: 't1' } }, context)).toEqual({
      type: 'ClaimRequested',
      data: { taskId: 't1' },
    });
  });

  it('defers a task offered while a claim is pending, and claims it after losing', () => {
    const claiming = given(
      { type: 'StartedWaiting', data: {} },
      { type: 'ClaimRequested', data: { taskId: 't1' } },
    );
    const deferred = user.decide(claiming, { type: 'TryClaim', data: { taskId: 't2' } }, context);
    expect(deferred).toEqual({ type: 'TaskDeferred', data: { taskId: 't2' } });
    const withBacklog = user.evolve(claiming, { type: 'TaskDeferred', data: { taskId: 't2' } });
    const lost = { taskId: 't1', code: 'AlreadyClaimed', claimedBy: 'bob' };
    expect(user.decide(withBacklog, { type: 'ClaimRejected', data: lost }, context)).toEqual([
      { type: 'ClaimLost', data: lost },
      { type: 'ClaimRequested', data: { taskId: 't2' } },
    ]);
  });

  it('refuses a reply it does not expect', () => {
    const waiting = given({ type: 'StartedWaiting', data: {} });
    const decision = user.decide(waiting, { type: 'ClaimSucceeded', data: { taskId: 't1' } }, context);
    expect(isRejection(decision)).toBe(true);
    expect(decision).toMatchObject({ code: 'NoPendingClaim' });
  });

  it('goes back to waiting after finishing its work', () => {
    const working = given(
      { type: 'StartedWaiting', data: {} },
      { type: 'ClaimRequested', data: { taskId: 't1' } },
      { type: 'ClaimWon', data: { taskId: 't1' } },
    );
    expect(working).toMatchObject({ activity: { status: 'working', taskId: 't1' }, won: 1 });
    const finished = user.evolve(working, { type: 'WorkFinished', data: { taskId: 't1' } });
    expect(finished.activity).toEqual({ status: 'waiting' });
  });
});
