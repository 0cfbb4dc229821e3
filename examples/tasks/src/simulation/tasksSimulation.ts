import { createService } from '@parley/core';
import type { FaultRates, SimulateOptions, SimulationWorld } from '@parley/testing/simulation';
import { auditStory, type StoryAudit, type StoryInvariants } from '../auditStory.ts';
import { pickRacers } from '../pickRacers.ts';
import { task } from '../task.ts';
import { createTasksService } from '../tasksService.ts';
import { isIdle, user } from '../user.ts';
import { createUsersService } from '../usersService.ts';

export interface TasksSimulationOptions {
  readonly seed: number;
  /** @default 30 */
  readonly tasks?: number;
  /** @default 8 */
  readonly users?: number;
  /** Faults of the infrastructure (crashes, outages…). @default none */
  readonly faults?: FaultRates;
}

/**
 * The task-claiming story as a simulation: the tasks and users services (faults strike both), users who start
 * waiting, tasks created at seeded moments and raced for, and the story's invariants — each task claimed once,
 * every loser told so by a reply, no rejection stored as an event — checked once every task is done.
 */
export function tasksSimulation(
  options: TasksSimulationOptions,
): Pick<SimulateOptions, 'seed' | 'services' | 'workload' | 'settled' | 'invariants' | 'faults'> {
  const userIds = Array.from(
    { length: options.users ?? 8 },
    (_, i) => `user-${String(i + 1).padStart(3, '0')}`,
  );
  const taskIds = Array.from(
    { length: options.tasks ?? 30 },
    (_, i) => `task-${String(i + 1).padStart(4, '0')}`,
  );
  const racersFor = (taskId: string) => pickRacers(options.seed, taskId, userIds);
  const observers = (world: SimulationWorld) => ({
    tasks: createService({ name: 'tasks-observer', store: world.store('tasks'), bus: world.bus }).entity(
      task,
    ),
    users: createService({ name: 'users-observer', store: world.store('users'), bus: world.bus }).entity(
      user,
    ),
  });
  const audit = (world: SimulationWorld): Promise<StoryAudit> =>
    auditStory({ tasksStore: world.store('tasks'), usersStore: world.store('users'), bus: world.bus });
  const holds = (invariant: keyof StoryInvariants) => async (world: SimulationWorld) => {
    const { invariants, problems } = await audit(world);
    return invariants[invariant] ? [] : problems;
  };
  return {
    seed: options.seed,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    services: {
      tasks: (env) => createTasksService(env),
      users: (env) => createUsersService({ ...env, racersFor }),
    },
    workload: async (world) => {
      for (const userId of userIds)
        await world.call('users', (users) =>
          users.execute(user, userId, { type: 'StartWaiting', data: {} }, { commandId: `start:${userId}` }),
        );
      for (const taskId of taskIds) {
        await world.call('tasks', (tasks) =>
          tasks.execute(
            task,
            taskId,
            { type: 'Create', data: { title: `Task ${taskId.slice(5)}` } },
            { commandId: `create:${taskId}` },
          ),
        );
        await world.sleep(world.random.between(0, 30));
      }
    },
    settled: async (world) => {
      const { tasks, users } = observers(world);
      for (const taskId of taskIds)
        if ((await tasks.load(task, taskId)).state.status !== 'done') return `${taskId} is not done`;
      for (const userId of userIds)
        if (!isIdle((await users.load(user, userId)).state)) return `${userId} is still busy`;
      return true;
    },
    invariants: {
      eachTaskClaimedOnce: holds('eachTaskClaimedOnce'),
      everyLoserNotified: holds('everyLoserNotified'),
      noRejectionEvents: holds('noRejectionEvents'),
    },
  };
}
