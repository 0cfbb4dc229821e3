import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../createLogger.ts';
import { positiveInt } from '../positiveInt.ts';
import { progressLine } from '../progressLine.ts';
import { importDemo } from './demoPackage.ts';

export function registerDemoBank(demo: Command): void {
  demo
    .command('bank')
    .description(
      'two services on embedded SQLite: a bank publishes account movements, statements project them',
    )
    .option('--data <dir>', 'directory for the SQLite files (default: a fresh temporary directory)')
    .option('--accounts <n>', 'number of accounts', (v) => positiveInt(v, '--accounts'), 20)
    .option(
      '--commands <n>',
      'number of deposit/withdraw commands',
      (v) => positiveInt(v, '--commands'),
      2000,
    )
    .option('--json', 'print one JSON object instead of a table')
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .action(
      async (options: {
        data?: string;
        accounts: number;
        commands: number;
        json?: boolean;
        logLevel: string;
      }) => {
        const dataDir = options.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bank-'));
        fs.mkdirSync(dataDir, { recursive: true });
        const progress = progressLine(!options.json);
        const { runBankDemo } = await importDemo(
          '@parley/example-bank',
          () => import('@parley/example-bank'),
        );
        const result = await runBankDemo({
          dataDir,
          accounts: options.accounts,
          commands: options.commands,
          logger: createLogger(options.logLevel),
          onProgress: (p) =>
            progress.update(
              `${p.phase === 'commands' ? 'commands' : 'statements caught up'} ${p.done}/${p.total}`,
            ),
        });
        progress.done();
        if (options.json) {
          console.log(JSON.stringify({ ...result, dataDir }));
        } else {
          console.table({ ...result, dataDir });
        }
        if (!result.consistent) process.exitCode = 1;
      },
    );
}
