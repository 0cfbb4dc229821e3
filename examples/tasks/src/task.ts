import { defineEntity, reject } from '@parley/core';
import { z } from 'zod';

/** Where a task stands. `claimedBy` is set from the first accepted claim on. */
export type TaskState =
  | { readonly status: 'new' }
  | { readonly status: 'open'; readonly title: string }
  | { readonly status: 'claimed'; readonly title: string; readonly claimedBy: string }
  | { readonly status: 'done'; readonly title: string; readonly claimedBy: string };

/** The event types a task stream may hold. A rejected command leaves nothing behind. */
export const taskEventTypes = ['TaskCreated', 'TaskClaimed', 'TaskCompleted'] as const;

/**
 * A unit of work that exactly one user may claim. A second claim is refused with `AlreadyClaimed`: a typed
 * rejection returned to the caller (and to the `replyTo` topic of the command message), never an event.
 */
export const task = defineEntity({
  name: 'task',
  initialState: (): TaskState => ({ status: 'new' }),
  commands: {
    Create: z.object({ title: z.string().min(1) }),
    Claim: z.object({ userId: z.string().min(1) }),
    Complete: z.object({ userId: z.string().min(1) }),
  },
  events: {
    TaskCreated: z.object({ title: z.string() }),
    TaskClaimed: z.object({ userId: z.string() }),
    TaskCompleted: z.object({ userId: z.string() }),
  },
  rejections: ['TaskExists', 'TaskNotFound', 'AlreadyClaimed', 'NotYourTask', 'AlreadyCompleted'],
  decide: (state, command) => {
    switch (command.type) {
      case 'Create':
        if (state.status !== 'new') return reject('TaskExists');
        return { type: 'TaskCreated', data: { title: command.data.title } };
      case 'Claim':
        if (state.status === 'new') return reject('TaskNotFound');
        if (state.status !== 'open') return reject('AlreadyClaimed', { claimedBy: state.claimedBy });
        return { type: 'TaskClaimed', data: { userId: command.data.userId } };
      case 'Complete':
        if (state.status === 'new') return reject('TaskNotFound');
        if (state.status === 'open' || state.claimedBy !== command.data.userId) return reject('NotYourTask');
        if (state.status === 'done') return reject('AlreadyCompleted');
        return { type: 'TaskCompleted', data: { userId: command.data.userId } };
    }
  },
  evolve: (state, event): TaskState => {
    switch (event.type) {
      case 'TaskCreated':
        return { status: 'open', title: event.data.title };
      case 'TaskClaimed':
        return { status: 'claimed', title: titleOf(state), claimedBy: event.data.userId };
      case 'TaskCompleted':
        return { status: 'done', title: titleOf(state), claimedBy: event.data.userId };
    }
  },
});

function titleOf(state: TaskState): string {
  return state.status === 'new' ? '' : state.title;
}
