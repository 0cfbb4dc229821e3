import type { Command } from 'commander';
import { createLogger } from '../createLogger.ts';
import { printDemoSummary } from '../printDemoSummary.ts';
import { fraction } from '../fraction.ts';
import { positiveInt } from '../positiveInt.ts';
import { progressLine } from '../progressLine.ts';
import { importDemo } from './demoPackage.ts';

interface DemoCinemaOptions {
  reservations: number;
  seed: number;
  insufficientFunds: number;
  poisonWallets: number;
  timeouts: number;
  duplicates: number;
  paymentTimeout: number;
  store?: string;
  bus?: string;
  walletInstances: number;
  processes?: boolean;
  killWallet?: boolean;
  killStorm?: number;
  orchestrated?: boolean;
  json?: boolean;
  logLevel: string;
}

export function registerDemoCinema(demo: Command): void {
  demo
    .command('cinema')
    .description(
      'the cinema story: reserve → charge → confirm, with insufficient funds, poison wallets, ' +
        'late charges refunded after a timeout, and duplicate deliveries',
    )
    .option('--reservations <n>', 'number of reservations', (v) => positiveInt(v, '--reservations'), 1000)
    .option('--seed <n>', 'seed for every random choice', (v) => positiveInt(v, '--seed'), 1)
    .option(
      '--insufficient-funds <share>',
      'share of wallets short of money',
      (v) => fraction(v, '--insufficient-funds'),
      0.05,
    )
    .option(
      '--poison-wallets <share>',
      'share of wallets whose charges always fail',
      (v) => fraction(v, '--poison-wallets'),
      0.02,
    )
    .option(
      '--timeouts <share>',
      'share of charges slower than the payment timeout',
      (v) => fraction(v, '--timeouts'),
      0.02,
    )
    .option(
      '--duplicates <share>',
      'share of duplicate deliveries and cancellations',
      (v) => fraction(v, '--duplicates'),
      0.03,
    )
    .option(
      '--payment-timeout <ms>',
      'how long the show waits for a payment',
      (v) => positiveInt(v, '--payment-timeout'),
      5000,
    )
    .option(
      '--store <url>',
      'sqlite:<file> (one file for all services, kept) or postgres://… (a schema per service, named after the run)',
    )
    .option('--bus <url>', 'the bus when it is not the store, e.g. nats://127.0.0.1:4222')
    .option('--processes', 'run each service in its own OS process, sharing the bus')
    .option(
      '--wallet-instances <n>',
      'with --processes: wallet processes sharing its partitions',
      (v) => positiveInt(v, '--wallet-instances'),
      1,
    )
    .option('--kill-wallet', 'with --processes: SIGKILL the wallet process mid-run and start it again')
    .option(
      '--kill-storm <kills>',
      'with --processes: SIGKILL this many show and wallet processes at random moments (from --seed), restarting each',
      (v) => positiveInt(v, '--kill-storm'),
    )
    .option(
      '--orchestrated',
      'tell the story as an orchestration: one workflow run per reservation in the show service',
    )
    .option('--json', 'print one JSON object instead of a table')
    .option('--log-level <level>', 'log level on stderr', 'error')
    .action(async (options: DemoCinemaOptions, command: Command) => {
      if (options.killStorm !== undefined && options.processes !== true) {
        command.error('error: --kill-storm needs --processes (it kills service processes)');
      }
      const progress = progressLine(options.json !== true);
      const { runCinemaDemo } = await importDemo(
        '@parley/example-cinema',
        () => import('@parley/example-cinema'),
      );
      const result = await runCinemaDemo({
        reservations: options.reservations,
        seed: options.seed,
        faults: {
          insufficientFunds: options.insufficientFunds,
          poisonWallets: options.poisonWallets,
          timeouts: options.timeouts,
          duplicates: options.duplicates,
        },
        paymentTimeoutMs: options.paymentTimeout,
        ...(options.store === undefined ? {} : { store: options.store }),
        ...(options.bus === undefined ? {} : { bus: options.bus }),
        walletInstances: options.walletInstances,
        processes: options.processes === true,
        killWallet: options.killWallet === true,
        ...(options.killStorm === undefined ? {} : { killStorm: { kills: options.killStorm } }),
        orchestrated: options.orchestrated === true,
        logger: createLogger(options.logLevel),
        onProgress: (p) =>
          progress.update(`${p.phase === 'reserving' ? 'reserving' : 'settled'} ${p.done}/${p.total}`),
      });
      progress.done();
      const ok = Object.values(result.invariants).every(Boolean);
      if (options.json === true) {
        console.log(JSON.stringify(result));
      } else {
        const rows: Array<[string, string | number]> = [
          ['saga', result.saga],
          ['reservations', result.reservations],
          ['confirmed', result.confirmed],
          ['cancelled: insufficient funds', result.cancelledInsufficientFunds],
          ['cancelled: payment timeout', result.cancelledTimeout],
          ['cancelled: by customer', result.cancelledByCustomer],
          ['dead-lettered (poison charges)', result.deadLettered],
          ['compensated (cancelled after escalation)', result.compensated],
          ['refunded (charge after cancellation)', result.refunded],
          ['duplicates ignored', result.duplicatesIgnored],
          ...(result.runs === undefined
            ? []
            : ([
                [
                  'workflow runs',
                  Object.entries(result.runs)
                    .filter(([, n]) => n > 0)
                    .map(([status, n]) => `${n} ${status}`)
                    .join(', '),
                ],
              ] as Array<[string, string]>)),
          ['wallet restarts', result.walletRestarts],
          ...(result.kills.length === 0
            ? []
            : ([['processes killed', result.kills.map((k) => k.process).join(', ')]] as Array<
                [string, string]
              >)),
          ['elapsed', `${(result.elapsedMs / 1000).toFixed(1)} s`],
          ['data', result.location],
        ];
        printDemoSummary(rows, result.invariants, result.problems);
      }
      if (!ok) process.exitCode = 1;
    });
}
