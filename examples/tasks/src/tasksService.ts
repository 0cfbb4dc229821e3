import { createService, type Bus, type Clock, type Logger, type Service, type Store } from '@parley/core';
import { task } from './task.ts';
import { taskCommands } from './taskCommands.ts';
import { publishTaskEvents } from './taskEvents.ts';

/** The consumer (group) that executes `task-commands`, for operators. */
export const taskCommandHandler = 'task-command-handler';

export interface TasksServiceOptions {
  /** The tasks service's own store. */
  store: Store;
  bus: Bus;
  logger?: Logger;
  /** @default the system clock */
  clock?: Clock;
  /** Stable name of this instance. */
  instanceId?: string;
}

/**
 * The `tasks` service: owns the task entities, publishes `TaskCreated` on `task-events`, and executes the
 * commands arriving on `task-commands`, replying with each outcome to the topic the sender named in `replyTo`.
 * It never calls the sender and never records a refused claim: the rejection only travels in the reply.
 *
 * @example
 * const tasks = createTasksService({ store: createSqliteStore('sqlite:./data/tasks.db'), bus });
 * await tasks.start();
 * await tasks.execute(task, 'task-1', { type: 'Create', data: { title: 'Water the plants' } });
 */
export function createTasksService(options: TasksServiceOptions): Service {
  return createService({ name: 'tasks', ...options })
    .entity(task, { publish: publishTaskEvents })
    .consumer({
      name: taskCommandHandler,
      source: taskCommands,
      handle: {
        ClaimTask: async ({ payload }, ctx) => {
          const outcome = await ctx.execute(task, payload.taskId, {
            type: 'Claim',
            data: { userId: payload.userId },
          });
          // Accepted or rejected, the outcome goes to `replyTo` through the outbox, with this message's commit.
          await ctx.reply(outcome);
        },
        CompleteTask: async ({ payload }, ctx) => {
          const outcome = await ctx.execute(task, payload.taskId, {
            type: 'Complete',
            data: { userId: payload.userId },
          });
          await ctx.reply(outcome);
        },
      },
    });
}
