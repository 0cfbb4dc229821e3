import fs from 'node:fs';
import path from 'node:path';
import { createAdmin, silentLogger, whenAllIdle, type Logger, type Service, type Store } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { auditStory, type StoryInvariants } from './auditStory.ts';
import { claimReplies } from './claimReplies.ts';
import { pickRacers } from './pickRacers.ts';
import { countMessages, readTopic } from './readTopic.ts';
import { task } from './task.ts';
import { taskCommands } from './taskCommands.ts';
import { createTasksService, taskCommandHandler } from './tasksService.ts';
import { isIdle, user } from './user.ts';
import { createUsersService } from './usersService.ts';
import { waitUntil } from './waitUntil.ts';

export type TasksDemoPhase = 'creating' | 'users-stopped' | 'settling';

export interface TasksDemoProgress {
  /** `creating`: tasks created while both services run; `users-stopped`: while `users` is down; `settling`: tasks done. */
  phase: TasksDemoPhase;
  done: number;
  total: number;
}

export interface TasksDemoOptions {
  /**
   * Directory for the two services' SQLite files (`tasks.db`, `users.db`) and the shared bus file (`bus.db`).
   * Created if missing; it must not hold those files already.
   */
  dataDir: string;
  /** @default 200 */
  tasks?: number;
  /** @default 20 */
  users?: number;
  /**
   * Decides which users race for each task (two to four of them).
   * @default 1
   */
  seed?: number;
  /**
   * Stops the users service once half the tasks exist and claims are on their way, creates the other half while
   * it is down, then starts a new users service on the same files.
   * @default true
   */
  restartUsers?: boolean;
  /**
   * How long to wait for every task to be claimed and done and every user to be idle again.
   * @default 60000
   */
  settleTimeoutMs?: number;
  logger?: Logger;
  /** Called as work advances. */
  onProgress?: (progress: TasksDemoProgress) => void;
}

export interface TasksDemoResult {
  tasks: number;
  users: number;
  seed: number;
  claimsSent: number;
  claimsAccepted: number;
  claimsRejected: number;
  usersRestarted: boolean;
  /** What the tasks service did while `users` was down; null when it was not stopped. */
  whileUsersStopped: { tasksCreated: number; claimsAnswered: number } | null;
  /** False when the settle timeout ran out first; the invariants then say what is missing. */
  settled: boolean;
  invariants: StoryInvariants;
  /** What broke an invariant, if anything. */
  problems: string[];
  elapsedMs: number;
}

const FILES = ['bus.db', 'tasks.db', 'users.db'];

interface RunningUsers {
  readonly service: Service;
  readonly store: Store;
  /** Stops the service and closes its store; once. */
  stop(): Promise<void>;
}

/**
 * Runs the task-claiming story: a `tasks` service and a `users` service, each with its own SQLite file, talking
 * only through topics on a shared SQLite bus file. Each new task is offered to a few users, who race to claim it;
 * exactly one claim wins, and every loser learns so asynchronously through the `users-claim-replies` topic.
 * Returns, once everything has settled, counts and invariants checked against the stores and the bus.
 *
 * @example
 * const result = await runTasksDemo({ dataDir: './data/tasks-demo', tasks: 50, users: 10, seed: 7 });
 * console.log(result.invariants); // { eachTaskClaimedOnce: true, everyLoserNotified: true, noRejectionEvents: true }
 */
export async function runTasksDemo(options: TasksDemoOptions): Promise<TasksDemoResult> {
  const started = Date.now();
  const taskCount = options.tasks ?? 200;
  const userCount = options.users ?? 20;
  const seed = options.seed ?? 1;
  const restartUsers = options.restartUsers ?? true;
  const settleTimeoutMs = options.settleTimeoutMs ?? 60_000;
  const logger = options.logger ?? silentLogger;
  const progress = options.onProgress ?? (() => {});
  if (!Number.isInteger(taskCount) || taskCount < 1) throw new TypeError(`tasks must be at least 1`);
  if (!Number.isInteger(userCount) || userCount < 1) throw new TypeError(`users must be at least 1`);

  fs.mkdirSync(options.dataDir, { recursive: true });
  const leftOver = FILES.filter((file) => fs.existsSync(path.join(options.dataDir, file)));
  if (leftOver.length > 0) {
    // The story's counts and invariants are about one run: a second run on the same files would mix two.
    throw new Error(
      `${options.dataDir} already holds ${leftOver.join(', ')}: give the demo an empty directory`,
    );
  }
  const url = (file: string): string => `sqlite:${path.join(options.dataDir, file)}`;
  const userIds = Array.from({ length: userCount }, (_, i) => `user-${String(i + 1).padStart(3, '0')}`);
  const taskIds = Array.from({ length: taskCount }, (_, i) => `task-${String(i + 1).padStart(4, '0')}`);
  const racersFor = (taskId: string): string[] => pickRacers(seed, taskId, userIds);

  const bus = createSqliteBus(url('bus.db'), { logger });
  const tasksStore = createSqliteStore(url('tasks.db'), { logger });
  const tasks = createTasksService({ store: tasksStore, bus, logger });
  /** Starts a users service on its file, as a fresh process would. */
  const startUsers = async (): Promise<RunningUsers> => {
    const store = createSqliteStore(url('users.db'), { logger });
    const service = createUsersService({ store, bus, logger, racersFor });
    let stopped = false;
    await service.start();
    return {
      service,
      store,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await service.stop();
        await store.close();
      },
    };
  };
  let users: RunningUsers | undefined;
  const createTasks = async (
    ids: ReadonlyArray<string>,
    phase: TasksDemoPhase,
    offset: number,
    total: number,
  ) => {
    for (const [i, taskId] of ids.entries()) {
      await tasks.execute(task, taskId, { type: 'Create', data: { title: `Task ${taskId.slice(5)}` } });
      const done = offset + i + 1;
      if (done % 10 === 0 || done === total) progress({ phase, done, total });
    }
  };
  const commandsInFlight = async (): Promise<number> =>
    (await countMessages(bus, taskCommands)) - (await countMessages(bus, claimReplies));
  /** Claims on the bus that `tasks` has not answered yet. */
  const claimsInFlight = async (): Promise<number> => {
    const [commands, replies] = await Promise.all([
      readTopic(bus, taskCommands),
      readTopic(bus, claimReplies),
    ]);
    const answered = replies.filter(
      (r) => (r.payload as { requestType?: unknown }).requestType === 'ClaimTask',
    );
    return commands.filter((c) => c.type === 'ClaimTask').length - answered.length;
  };

  try {
    await tasks.start();
    users = await startUsers();
    for (const userId of userIds)
      await users.service.execute(user, userId, { type: 'StartWaiting', data: {} });

    let whileUsersStopped: TasksDemoResult['whileUsersStopped'] = null;
    if (!restartUsers) {
      await createTasks(taskIds, 'creating', 0, taskCount);
    } else {
      const half = Math.ceil(taskCount / 2);
      await createTasks(taskIds.slice(0, half - 1), 'creating', 0, half);
      // Claims travel fast. To be sure some are still on their way when `users` stops, the demo holds the tasks
      // service's command handler, as an operator could, while it creates the last task of this half.
      const admin = createAdmin({ store: tasksStore, bus });
      await admin.consumers.pause(taskCommandHandler, { by: 'tasks demo', reason: 'hold commands' });
      await waitUntil(() => tasks.consumerStatus().some((c) => c.name === taskCommandHandler && c.paused), {
        timeoutMs: 10_000,
      });
      await createTasks(taskIds.slice(half - 1, half), 'creating', half - 1, half);
      await waitUntil(async () => (await commandsInFlight()) > 0, { timeoutMs: 10_000 });
      await users.stop();
      const claimsAnswered = await claimsInFlight();
      await admin.consumers.resume(taskCommandHandler, { by: 'tasks demo' });

      // `tasks` goes on alone: it answers what `users` sent before stopping, and creates the other tasks.
      const rest = taskIds.slice(half);
      await createTasks(rest, 'users-stopped', 0, rest.length);
      await tasks.whenIdle({ timeoutMs: settleTimeoutMs });
      whileUsersStopped = { tasksCreated: rest.length, claimsAnswered };
      users = await startUsers();
    }

    // Settled when both services are idle, every task is done and every user waits with nothing pending.
    const running = users.service;
    const open = new Set(taskIds);
    let settled = false;
    for (const deadline = Date.now() + settleTimeoutMs; !settled && Date.now() < deadline;) {
      try {
        await whenAllIdle([tasks, running], { timeoutMs: Math.max(1, deadline - Date.now()) });
      } catch (error) {
        logger.warn({ err: error }, 'tasks demo: services still busy at the settle timeout');
        break;
      }
      for (const taskId of open)
        if ((await tasks.load(task, taskId)).state.status === 'done') open.delete(taskId);
      progress({ phase: 'settling', done: taskCount - open.size, total: taskCount });
      settled = open.size === 0;
      for (const userId of userIds)
        if (settled && !isIdle((await running.load(user, userId)).state)) settled = false;
      if (!settled) await new Promise((resolve) => setTimeout(resolve, 20));
    }

    await running.stop();
    await tasks.stop();
    const audit = await auditStory({ tasksStore, usersStore: users.store, bus });
    return {
      ...audit,
      users: userCount,
      seed,
      usersRestarted: restartUsers,
      whileUsersStopped,
      settled,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await users?.stop();
    await tasks.stop();
    await Promise.all([tasksStore.close(), bus.close()]);
  }
}
