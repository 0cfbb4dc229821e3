import { defineEntity, reject, type EventOf } from '@parley/core';
import { z } from 'zod';

/** What a user is doing: at most one claim is pending at a time. */
export type Activity =
  | { readonly status: 'offline' }
  | { readonly status: 'waiting' }
  | { readonly status: 'claiming'; readonly taskId: string }
  | { readonly status: 'working'; readonly taskId: string };

export interface UserState {
  readonly activity: Activity;
  /** Tasks offered while busy, oldest first: claimed one by one once the user is waiting again. */
  readonly backlog: ReadonlyArray<string>;
  readonly won: number;
  readonly lost: number;
}

const aboutTask = z.object({ taskId: z.string().min(1) });

/**
 * A user who waits for work and claims tasks. `TryClaim` records a pending claim (`ClaimRequested`), which the
 * users service publishes as a `ClaimTask` command; the tasks service's answer comes back as `ClaimSucceeded`
 * or `ClaimRejected`. A user offered a task while busy keeps it in a backlog and claims it when free again, so
 * a task offered only to busy users is still claimed.
 */
export const user = defineEntity({
  name: 'user',
  initialState: (): UserState => ({ activity: { status: 'offline' }, backlog: [], won: 0, lost: 0 }),
  commands: {
    StartWaiting: z.object({}),
    TryClaim: aboutTask,
    ClaimSucceeded: aboutTask,
    ClaimRejected: aboutTask.extend({ code: z.string(), claimedBy: z.string().nullable() }),
    FinishWork: aboutTask,
  },
  events: {
    StartedWaiting: z.object({}),
    ClaimRequested: aboutTask,
    TaskDeferred: aboutTask,
    ClaimWon: aboutTask,
    ClaimLost: aboutTask.extend({ code: z.string(), claimedBy: z.string().nullable() }),
    WorkFinished: aboutTask,
  },
  rejections: ['Offline', 'NoPendingClaim', 'NotWorkingOnIt'],
  decide: (state, command) => {
    const { activity } = state;
    switch (command.type) {
      case 'StartWaiting':
        return activity.status === 'offline' ? { type: 'StartedWaiting', data: {} } : [];
      case 'TryClaim': {
        const { taskId } = command.data;
        if (activity.status === 'offline') return reject('Offline');
        if (activity.status === 'waiting') return { type: 'ClaimRequested', data: { taskId } };
        if (activity.taskId === taskId || state.backlog.includes(taskId)) return [];
        return { type: 'TaskDeferred', data: { taskId } };
      }
      case 'ClaimSucceeded':
        if (activity.status !== 'claiming' || activity.taskId !== command.data.taskId)
          return reject('NoPendingClaim', { taskId: command.data.taskId });
        return { type: 'ClaimWon', data: { taskId: command.data.taskId } };
      case 'ClaimRejected':
        if (activity.status !== 'claiming' || activity.taskId !== command.data.taskId)
          return reject('NoPendingClaim', { taskId: command.data.taskId });
        return [{ type: 'ClaimLost', data: command.data }, ...claimNext(state)];
      case 'FinishWork':
        if (activity.status !== 'working' || activity.taskId !== command.data.taskId)
          return reject('NotWorkingOnIt', { taskId: command.data.taskId });
        return [{ type: 'WorkFinished', data: { taskId: command.data.taskId } }, ...claimNext(state)];
    }
  },
  evolve: (state, event): UserState => {
    switch (event.type) {
      case 'StartedWaiting':
        return { ...state, activity: { status: 'waiting' } };
      case 'ClaimRequested':
        return {
          ...state,
          activity: { status: 'claiming', taskId: event.data.taskId },
          backlog: state.backlog.filter((id) => id !== event.data.taskId),
        };
      case 'TaskDeferred':
        return { ...state, backlog: [...state.backlog, event.data.taskId] };
      case 'ClaimWon':
        return { ...state, activity: { status: 'working', taskId: event.data.taskId }, won: state.won + 1 };
      case 'ClaimLost':
        return { ...state, activity: { status: 'waiting' }, lost: state.lost + 1 };
      case 'WorkFinished':
        return { ...state, activity: { status: 'waiting' } };
    }
  },
});

export type UserEvent = EventOf<typeof user>;

/** True when the user waits for work with nothing pending: no claim in flight, no task deferred. */
export function isIdle(state: UserState): boolean {
  return state.activity.status === 'waiting' && state.backlog.length === 0;
}

/** Once free again, the user claims the oldest task of its backlog, if any. */
function claimNext(state: UserState): Array<{ type: 'ClaimRequested'; data: { taskId: string } }> {
  const next = state.backlog[0];
  return next === undefined ? [] : [{ type: 'ClaimRequested', data: { taskId: next } }];
}
