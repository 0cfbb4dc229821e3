import { createAdmin, type SchemaRegistry } from '@parley/core';
import { createConsole, serveConsole, type ConsoleToken } from '@parley/console';
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../createLogger.ts';
import { loadAppSchemas } from '../loadApp.ts';
import { openBackend } from '../openBackend.ts';
import { positiveInt } from '../positiveInt.ts';

interface ConsoleFlags {
  store: string;
  bus?: string;
  port: number;
  host: string;
  token?: string;
  tokenLabel: string;
  readToken?: string;
  readTokenLabel: string;
  app?: string;
  sensitiveHeader: string[];
  rate: number;
  logLevel: string;
}

/** `parley console`: the operator console in a browser, over the same admin API as the other commands. */
export function registerConsole(program: Command): void {
  program
    .command('console')
    .description(
      'serve the operator console: failures grouped by cause, bulk redrive with progress, consumers, topics, ' +
        'workflow runs and /metrics (Prometheus), behind a token',
    )
    .requiredOption('--store <url>', 'the service store, e.g. sqlite:./data/app.db')
    .option('--bus <url>', 'the bus, for consumer lag and topics (default: the store URL)')
    .option('--port <n>', 'port to listen on (0: any free one)', (v) => port(v), 4400)
    .option(
      '--host <address>',
      'address to listen on (put a TLS proxy in front to reach it from elsewhere)',
      '127.0.0.1',
    )
    .option(
      '--token <secret>',
      'operator token: sees and changes everything (default: $PARLEY_CONSOLE_TOKEN)',
    )
    .option('--token-label <name>', 'who the operator token acts as, in the audit trail', 'operator')
    .option(
      '--read-token <secret>',
      'read-only token: sees everything, changes nothing (default: $PARLEY_CONSOLE_READ_TOKEN)',
    )
    .option('--read-token-label <name>', 'who the read-only token is, in the logs', 'read-only')
    .option('--app <module>', 'module exporting the topics/entities whose schemas check edited payloads')
    .option(
      '--sensitive-header <name>',
      'a header whose value is never shown (repeatable)',
      (v: string, previous: string[]) => [...previous, v],
      [],
    )
    .option(
      '--rate <n>',
      'at most this many dead letters a second in a bulk redrive or discard',
      (v) => positiveInt(v, '--rate'),
      50,
    )
    .option('--log-level <level>', 'pino level of the logs on stderr (changes are logged at info)', 'info')
    .action(async (flags: ConsoleFlags, command: Command) => {
      const tokens: ConsoleToken[] = [];
      const operator = flags.token ?? process.env.PARLEY_CONSOLE_TOKEN;
      const reader = flags.readToken ?? process.env.PARLEY_CONSOLE_READ_TOKEN;
      if (operator !== undefined && operator !== '')
        tokens.push({ label: flags.tokenLabel, secret: operator, role: 'operate' });
      if (reader !== undefined && reader !== '')
        tokens.push({ label: flags.readTokenLabel, secret: reader, role: 'read' });
      if (tokens.length === 0) {
        command.error(
          'error: the console needs a token: --token <secret> or PARLEY_CONSOLE_TOKEN (and --read-token for read-only)',
        );
      }
      let schemas: SchemaRegistry | undefined;
      if (flags.app !== undefined) schemas = (await loadAppSchemas(flags.app)).registry;
      const logger = createLogger(flags.logLevel);
      const backend = await openBackend({ store: flags.store, bus: flags.bus });
      const admin = createAdmin({
        store: backend.store,
        bus: backend.bus,
        ...(schemas === undefined ? {} : { schemas }),
      });
      const app = createConsole(admin, {
        tokens,
        sensitiveHeaders: flags.sensitiveHeader,
        bulkRate: flags.rate,
        logger,
        ...(schemas === undefined ? {} : { schemas }),
      });
      let served;
      try {
        served = await serveConsole(app, { port: flags.port, hostname: flags.host });
      } catch (error) {
        await backend.close();
        throw error;
      }
      console.log(`Parley console at ${served.url}/ (sign in with the token; Ctrl-C stops it)`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await served.close();
      await backend.close();
    });
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError(`--port must be 0 to 65535, got ${JSON.stringify(value)}`);
  return n;
}
