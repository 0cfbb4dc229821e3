import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { whenAllIdle } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditStory } from './auditStory.ts';
import { claimReplies } from './claimReplies.ts';
import { readTopic } from './readTopic.ts';
import { task } from './task.ts';
import { createTasksService } from './tasksService.ts';
import { isIdle, user } from './user.ts';
import { createUsersService } from './usersService.ts';

describe('two users racing for one task', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tasks-race-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('lets one win; the loser hears AlreadyClaimed through the reply topic and races again', async () => {
    const url = (file: string): string => `sqlite:${path.join(dataDir, file)}`;
    const bus = createSqliteBus(url('bus.db'));
    const tasksStore = createSqliteStore(url('tasks.db'));
    const usersStore = createSqliteStore(url('users.db'));
    const tasks = createTasksService({ store: tasksStore, bus });
    const users = createUsersService({ store: usersStore, bus, racersFor: () => ['alice', 'bob'] });
    /** Both services quiet, then the task done and both users waiting again. */
    const settled = async (taskId: string) => {
      await whenAllIdle([tasks, users], { timeoutMs: 5000 });
      return (
        (await tasks.load(task, taskId)).state.status === 'done' &&
        isIdle((await users.load(user, 'alice')).state) &&
        isIdle((await users.load(user, 'bob')).state)
      );
    };
    try {
      await tasks.start();
      await users.start();
      await users.execute(user, 'alice', { type: 'StartWaiting', data: {} });
      await users.execute(user, 'bob', { type: 'StartWaiting', data: {} });

      await tasks.execute(task, 'task-1', { type: 'Create', data: { title: 'Fix the roof' } });
      expect(await settled('task-1')).toBe(true);

      // One event per accepted command (Create, the winning Claim, Complete); nothing for the refused claim.
      const stream = await tasksStore.readStream('task', 'task-1', 0);
      expect(stream.map((e) => e.type)).toEqual(['TaskCreated', 'TaskClaimed', 'TaskCompleted']);
      const winner = (stream[1]?.data as { userId: string }).userId;
      const loser = winner === 'alice' ? 'bob' : 'alice';

      const replies = await readTopic(bus, claimReplies);
      expect(replies.map((r) => r.type).sort()).toEqual([
        'CommandAccepted', // the winner's claim
        'CommandAccepted', // the winner's completion
        'CommandRejected', // the loser's claim
      ]);
      const rejected = replies.find((r) => r.type === 'CommandRejected');
      expect(rejected?.key).toBe(loser);
      expect(rejected?.payload).toMatchObject({
        requestType: 'ClaimTask',
        correlationId: loser,
        entityId: 'task-1',
        rejection: { code: 'AlreadyClaimed', details: { claimedBy: winner } },
      });

      const loserEvents = await usersStore.readStream('user', loser, 0);
      expect(loserEvents.map((e) => [e.type, e.data])).toEqual([
        ['StartedWaiting', {}],
        ['ClaimRequested', { taskId: 'task-1' }],
        ['ClaimLost', { taskId: 'task-1', code: 'AlreadyClaimed', claimedBy: winner }],
      ]);
      expect((await users.load(user, loser)).state).toMatchObject({
        activity: { status: 'waiting' },
        lost: 1,
      });
      expect((await users.load(user, winner)).state).toMatchObject({
        activity: { status: 'waiting' },
        won: 1,
      });

      // Back to waiting, the loser races for the next task.
      await tasks.execute(task, 'task-2', { type: 'Create', data: { title: 'Paint the fence' } });
      expect(await settled('task-2')).toBe(true);
      const next = await usersStore.readStream('user', loser, loserEvents.length);
      expect(next[0]).toMatchObject({ type: 'ClaimRequested', data: { taskId: 'task-2' } });

      await users.stop();
      await tasks.stop();
      const audit = await auditStory({ tasksStore, usersStore, bus });
      expect(audit).toMatchObject({
        tasks: 2,
        claimsSent: 4,
        claimsAccepted: 2,
        claimsRejected: 2,
        invariants: { eachTaskClaimedOnce: true, everyLoserNotified: true, noRejectionEvents: true },
      });
    } finally {
      await users.stop();
      await tasks.stop();
      await Promise.all([tasksStore.close(), usersStore.close(), bus.close()]);
    }
  });
});
