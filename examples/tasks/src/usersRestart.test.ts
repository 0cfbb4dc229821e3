import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAdmin, foldEvents, whenAllIdle, type Store } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditStory } from './auditStory.ts';
import { claimReplies } from './claimReplies.ts';
import { countMessages, readTopic } from './readTopic.ts';
import { task } from './task.ts';
import { taskCommands } from './taskCommands.ts';
import { taskEvents } from './taskEvents.ts';
import { createTasksService, taskCommandHandler } from './tasksService.ts';
import { isIdle, user, type UserState } from './user.ts';
import { createUsersService } from './usersService.ts';
import { waitUntil } from './waitUntil.ts';

const userIds = ['alice', 'bob', 'carol'];

/** A user's state as its store holds it, read without a running service. */
async function stateIn(store: Store, userId: string): Promise<UserState> {
  const events = await store.readStream('user', userId, 0);
  return foldEvents(user, { state: user.initialState(), version: 0 }, events).state as UserState;
}

describe('users down while tasks goes on', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tasks-restart-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('answers the claims already sent, creates tasks, and users catches up on restart', async () => {
    const url = (file: string): string => `sqlite:${path.join(dataDir, file)}`;
    const bus = createSqliteBus(url('bus.db'));
    const tasksStore = createSqliteStore(url('tasks.db'));
    const tasks = createTasksService({ store: tasksStore, bus });
    const admin = createAdmin({ store: tasksStore, bus });
    const racersFor = () => userIds;
    let usersStore = createSqliteStore(url('users.db'));
    let users = createUsersService({ store: usersStore, bus, racersFor });
    try {
      await tasks.start();
      await users.start();
      for (const userId of userIds) await users.execute(user, userId, { type: 'StartWaiting', data: {} });

      // Hold tasks' command handler so that the three claims are still unanswered when users stops.
      await admin.consumers.pause(taskCommandHandler, { by: 'test' });
      expect(
        await waitUntil(() => tasks.consumerStatus().some((c) => c.name === taskCommandHandler && c.paused), {
          timeoutMs: 5000,
        }),
      ).toBe(true);
      await tasks.execute(task, 'task-1', { type: 'Create', data: { title: 'Sort the mail' } });
      expect(
        await waitUntil(async () => (await countMessages(bus, taskCommands)) === 3, { timeoutMs: 5000 }),
      ).toBe(true);
      await users.stop();
      await usersStore.close();
      await admin.consumers.resume(taskCommandHandler, { by: 'test' });

      // users is down; tasks answers the claims already sent and creates more tasks.
      await tasks.whenIdle({ timeoutMs: 5000 });
      expect(await countMessages(bus, claimReplies)).toBe(3);
      expect((await tasks.load(task, 'task-1')).state.status).toBe('claimed');
      await tasks.execute(task, 'task-2', { type: 'Create', data: { title: 'Water the plants' } });
      await tasks.execute(task, 'task-3', { type: 'Create', data: { title: 'Feed the cat' } });
      await tasks.whenIdle({ timeoutMs: 5000 });
      expect(await countMessages(bus, taskEvents)).toBe(3);
      const replies = await readTopic(bus, claimReplies);
      expect(replies.map((r) => r.type).sort()).toEqual([
        'CommandAccepted',
        'CommandRejected',
        'CommandRejected',
      ]);

      // The answers wait on the bus: the users' store still shows every claim pending.
      usersStore = createSqliteStore(url('users.db'));
      for (const userId of userIds)
        expect((await stateIn(usersStore, userId)).activity).toEqual({
          status: 'claiming',
          taskId: 'task-1',
        });

      // A new users service on the same files catches up from its checkpoints.
      users = createUsersService({ store: usersStore, bus, racersFor });
      await users.start();
      const running = users;
      await whenAllIdle([tasks, running], { timeoutMs: 8000 });
      for (const id of ['task-1', 'task-2', 'task-3'])
        expect((await tasks.load(task, id)).state.status).toBe('done');
      for (const userId of userIds) expect(isIdle((await running.load(user, userId)).state)).toBe(true);

      for (const userId of userIds) {
        const outcomes = (await usersStore.readStream('user', userId, 0)).filter(
          (e) =>
            (e.type === 'ClaimWon' || e.type === 'ClaimLost') &&
            (e.data as { taskId: string }).taskId === 'task-1',
        );
        expect(outcomes).toHaveLength(1);
      }
      await users.stop();
      await tasks.stop();
      const audit = await auditStory({ tasksStore, usersStore, bus });
      expect(audit).toMatchObject({
        tasks: 3,
        claimsSent: 9,
        claimsAccepted: 3,
        claimsRejected: 6,
        invariants: { eachTaskClaimedOnce: true, everyLoserNotified: true, noRejectionEvents: true },
        problems: [],
      });
    } finally {
      await users.stop();
      await tasks.stop();
      await Promise.all([tasksStore.close(), usersStore.close(), bus.close()]);
    }
  });
});
