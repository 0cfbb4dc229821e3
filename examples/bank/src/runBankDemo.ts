import path from 'node:path';
import { createService, silentLogger, type Logger } from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { account } from './account.ts';
import { publishMovements } from './bankEvents.ts';
import { statements, withStatements } from './statements.ts';

export interface BankDemoOptions {
  /** Directory for the two services' SQLite files and the shared bus file. */
  dataDir: string;
  /** @default 20 */
  accounts?: number;
  /** @default 2000 */
  commands?: number;
  logger?: Logger;
  /** Called as work advances. */
  onProgress?: (progress: { phase: 'commands' | 'catching-up'; done: number; total: number }) => void;
}

export interface BankDemoResult {
  accounts: number;
  accepted: number;
  rejected: number;
  /** True when every statement equals its account's balance. */
  consistent: boolean;
  elapsedMs: number;
}

/**
 * Runs the bank example: a `bank` service (own SQLite file) executes random deposits and withdrawals; its events
 * travel through the outbox to a shared bus file; a `statements` service (own file) projects them. Returns when
 * the statements have caught up.
 */
export async function runBankDemo(options: BankDemoOptions): Promise<BankDemoResult> {
  const started = Date.now();
  const accounts = options.accounts ?? 20;
  const commands = options.commands ?? 2000;
  const logger = options.logger ?? silentLogger;
  const bus = createSqliteBus(`sqlite:${path.join(options.dataDir, 'bus.db')}`, { logger });
  const bankStore = createSqliteStore(`sqlite:${path.join(options.dataDir, 'bank.db')}`, { logger });
  const statementsStore = createSqliteStore(`sqlite:${path.join(options.dataDir, 'statements.db')}`, {
    logger,
  });
  const bank = createService({ name: 'bank', store: bankStore, bus, logger }).entity(account, {
    publish: publishMovements,
  });
  const statementsService = withStatements(
    createService({ name: 'statements', store: statementsStore, bus, logger }),
  );
  try {
    await bank.start();
    await statementsService.start();
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < commands; i++) {
      const accountId = `account-${i % accounts}`;
      const amount = 1 + ((i * 7919) % 100);
      const outcome = await bank.execute(account, accountId, {
        type: i % 3 === 2 ? 'Withdraw' : 'Deposit',
        data: { amount },
      });
      if (outcome.status === 'accepted') accepted++;
      else rejected++;
      if ((i + 1) % 250 === 0 || i + 1 === commands)
        options.onProgress?.({ phase: 'commands', done: i + 1, total: commands });
    }
    let consistent = false;
    for (let waited = 0; waited < 30_000 && !consistent; waited += 50) {
      consistent = true;
      let caughtUp = 0;
      for (let a = 0; a < accounts; a++) {
        const { state } = await bank.load(account, `account-${a}`);
        const line = await statementsService.query(statements).get(`account-${a}`);
        if ((line?.balance ?? 0) === state.balance) caughtUp++;
        else consistent = false;
      }
      options.onProgress?.({ phase: 'catching-up', done: caughtUp, total: accounts });
      if (!consistent) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { accounts, accepted, rejected, consistent, elapsedMs: Date.now() - started };
  } finally {
    await statementsService.stop();
    await bank.stop();
    await Promise.all([statementsStore.close(), bankStore.close(), bus.close()]);
  }
}
