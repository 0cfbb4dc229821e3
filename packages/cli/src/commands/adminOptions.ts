import { createAdmin, type Admin, type SchemaRegistry } from '@parley/core';
import type { Command } from 'commander';
import { openBackend } from '../openBackend.ts';

/** Options every operator command takes. */
export interface BackendFlags {
  store: string;
  bus?: string;
  json?: boolean;
}

/** Options of the commands that change something: who does it, for the audit trail. */
export interface ActorFlags {
  by: string;
}

/** Adds `--store`, `--bus` and `--json`. */
export function backendOptions(command: Command): Command {
  return command
    .requiredOption('--store <url>', 'the service store, e.g. sqlite:./data/app.db')
    .option('--bus <url>', 'the bus, for consumer lag (default: the store URL)')
    .option('--json', 'print machine-readable JSON on stdout');
}

/** Adds `--by`, defaulting to the login name. */
export function actorOption(command: Command): Command {
  return command.option('--by <name>', 'who acts, for the audit trail', process.env.USER || 'cli');
}

/** Opens the backend, runs `work` with an admin API over it, and closes the backend whatever happens. */
export async function withAdmin<T>(
  flags: BackendFlags,
  work: (admin: Admin) => Promise<T>,
  schemas?: SchemaRegistry,
): Promise<T> {
  const backend = await openBackend({ store: flags.store, bus: flags.bus });
  try {
    return await work(
      createAdmin({ store: backend.store, bus: backend.bus, ...(schemas === undefined ? {} : { schemas }) }),
    );
  } finally {
    await backend.close();
  }
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
