import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTasksDemo } from './runTasksDemo.ts';

describe('tasks example', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tasks-test-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('lets exactly one user claim each task and tells every loser, across a restart of users', async () => {
    const phases = new Set<string>();
    const result = await runTasksDemo({
      dataDir,
      tasks: 30,
      users: 8,
      seed: 7,
      onProgress: (p) => phases.add(p.phase),
    });
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({
      tasks: 30,
      users: 8,
      claimsAccepted: 30,
      usersRestarted: true,
      settled: true,
      invariants: { eachTaskClaimedOnce: true, everyLoserNotified: true, noRejectionEvents: true },
    });
    expect(result.claimsRejected).toBeGreaterThan(0);
    expect(result.claimsAccepted + result.claimsRejected).toBe(result.claimsSent);
    expect(result.whileUsersStopped?.tasksCreated).toBe(15);
    expect(phases).toEqual(new Set(['creating', 'users-stopped', 'settling']));
    expect(
      fs
        .readdirSync(dataDir)
        .filter((f) => f.endsWith('.db'))
        .sort(),
    ).toEqual(['bus.db', 'tasks.db', 'users.db']);
  });

  it('refuses a directory that holds a previous run', async () => {
    await expect(runTasksDemo({ dataDir, tasks: 1, users: 1 })).rejects.toThrow(/already holds/);
  });

  it('also runs without stopping users', async () => {
    const result = await runTasksDemo({
      dataDir: path.join(dataDir, 'no-restart'),
      tasks: 20,
      users: 5,
      restartUsers: false,
    });
    expect(result).toMatchObject({
      tasks: 20,
      claimsAccepted: 20,
      usersRestarted: false,
      whileUsersStopped: null,
    });
    expect(result.invariants).toEqual({
      eachTaskClaimedOnce: true,
      everyLoserNotified: true,
      noRejectionEvents: true,
    });
  });
});
