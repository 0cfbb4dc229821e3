import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../createLogger.ts';
import { printDemoSummary } from '../printDemoSummary.ts';
import { positiveInt } from '../positiveInt.ts';
import { progressLine } from '../progressLine.ts';
import { importDemo } from './demoPackage.ts';

interface DemoTasksOptions {
  tasks: number;
  users: number;
  seed: number;
  restartUsers: boolean;
  data?: string;
  json?: boolean;
  logLevel: string;
}

export function registerDemoTasks(demo: Command): void {
  demo
    .command('tasks')
    .description(
      'the task-claiming story: users race for tasks; losers learn of the rejection through replies',
    )
    .option('--tasks <n>', 'number of tasks', (v) => positiveInt(v, '--tasks'), 200)
    .option('--users <n>', 'number of users', (v) => positiveInt(v, '--users'), 20)
    .option('--seed <n>', 'seed for who races for which task', (v) => positiveInt(v, '--seed'), 1)
    .option('--no-restart-users', 'keep the users service running throughout')
    .option('--data <dir>', 'an empty directory for the SQLite files (default: a fresh temporary directory)')
    .option('--json', 'print one JSON object instead of a table')
    .option('--log-level <level>', 'log level on stderr', 'error')
    .action(async (options: DemoTasksOptions) => {
      const dataDir = options.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tasks-'));
      const progress = progressLine(options.json !== true);
      const { runTasksDemo } = await importDemo(
        '@parley/example-tasks',
        () => import('@parley/example-tasks'),
      );
      const result = await runTasksDemo({
        dataDir,
        tasks: options.tasks,
        users: options.users,
        seed: options.seed,
        restartUsers: options.restartUsers,
        logger: createLogger(options.logLevel),
        onProgress: (p) => progress.update(`${p.phase} ${p.done}/${p.total}`),
      });
      progress.done();
      const ok = Object.values(result.invariants).every(Boolean);
      if (options.json === true) {
        console.log(JSON.stringify({ ...result, dataDir }));
      } else {
        const rows: Array<[string, string]> = [
          ['tasks', String(result.tasks)],
          ['users', String(result.users)],
          ['claims sent', String(result.claimsSent)],
          ['claims accepted', String(result.claimsAccepted)],
          ['claims rejected (losers notified)', String(result.claimsRejected)],
          ['users restarted', result.usersRestarted ? 'yes' : 'no'],
          ['tasks created while users was down', String(result.whileUsersStopped?.tasksCreated ?? '-')],
          ['claims answered while users was down', String(result.whileUsersStopped?.claimsAnswered ?? '-')],
          ['elapsed', `${(result.elapsedMs / 1000).toFixed(1)} s`],
          ['data', dataDir],
        ];
        printDemoSummary(rows, result.invariants, result.problems);
      }
      if (!ok) process.exitCode = 1;
    });
}
