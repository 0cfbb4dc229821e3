import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createService,
  silentLogger,
  whenAllIdle,
  type Bus,
  type IdleSource,
  type Logger,
  type Store,
} from '@parley/core';
import { openBus, openStore, withParam } from './openBackend.ts';
import { inspectCinema, type CinemaCounts, type CinemaInvariants } from './inspectCinema.ts';
import { planDemo, type DemoPlan, type FaultRates } from './planDemo.ts';
import { show } from './show.ts';
import { createShowService } from './showService.ts';
import { wallet } from './wallet.ts';
import { createWalletService, openWallets } from './walletService.ts';
import { countRuns, type RunCounts } from './orchestrated/countRuns.ts';
import { createOrchestratedShowService } from './orchestrated/orchestratedShowService.ts';
import { createOrchestratedWalletService } from './orchestrated/orchestratedWalletService.ts';
import { RESERVATION_WORKFLOW } from './orchestrated/reservationWorkflow.ts';
import { sendOrchestratedBatch } from './orchestrated/sendOrchestratedBatch.ts';
import { sendReservations } from './sendReservations.ts';
import {
  startKillStorm,
  type KillStorm,
  type KillStormOptions,
  type ProcessKill,
} from './processes/killStorm.ts';
import { startProcesses, type CinemaProcesses } from './processes/startProcesses.ts';

export interface CinemaDemoOptions {
  /** @default 1000 */
  reservations?: number;
  /** @default 1 */
  seed?: number;
  /** @default { insufficientFunds: 0.05, poisonWallets: 0.02, timeouts: 0.02, duplicates: 0.03 } */
  faults?: Partial<FaultRates>;
  /**
   * Where the services keep their state. `sqlite:<file>`: one file for every service and the bus (kept
   * afterwards). `postgres://…`: one schema per service (named after this run) in that database. Without it, a
   * fresh directory holds one SQLite file per service plus the bus file, and outbox relays carry the events across.
   */
  store?: string;
  /**
   * The bus, when it is not the store: `nats://127.0.0.1:4222`, or `postgres://…`. With a PostgreSQL store and no
   * bus, the bus is a schema of that database.
   */
  bus?: string;
  /** Directory for the per-service files when `store` is not given. @default a new temporary directory */
  dataDir?: string;
  /** With `processes`: how many wallet processes share the wallet's partitions. @default 1 */
  walletInstances?: number;
  /** Run each service in its own OS process, sharing the bus file. @default false */
  processes?: boolean;
  /** With `processes`: SIGKILL the wallet process mid-run, then start it again. @default false */
  killWallet?: boolean;
  /**
   * With `processes`: SIGKILL service processes (wallet and show by default) at seeded random moments while the
   * story runs, starting each again at once; the run settles only after the last kill. @default no storm
   */
  killStorm?: KillStormOptions;
  /**
   * Tell the story as an orchestration: one workflow run per reservation in the show service drives it (hold
   * the seat, request the charge, confirm or compensate), instead of the services reacting to each other's
   * events. @default false
   */
  orchestrated?: boolean;
  /** @default 5000 */
  paymentTimeoutMs?: number;
  /** @default paymentTimeoutMs + 2000 */
  slowChargeMs?: number;
  /** Give up waiting for the story to settle after this long. @default 180000 */
  settleTimeoutMs?: number;
  logger?: Logger;
  onProgress?: (progress: { phase: 'reserving' | 'settling'; done: number; total: number }) => void;
}

export interface CinemaDemoResult extends CinemaCounts {
  /** How the story was told. */
  saga: 'choreography' | 'orchestration';
  /** With `orchestrated`: the reservation workflow's runs by status. */
  runs?: RunCounts;
  invariants: CinemaInvariants;
  settled: boolean;
  problems: string[];
  walletRestarts: number;
  /** With `killStorm`: every process killed, when, and how long its replacement took to start. */
  kills: ReadonlyArray<ProcessKill>;
  elapsedMs: number;
  location: string;
}

interface Locations {
  show: string;
  wallet: string;
  /** The store of the demo's customers, who publish their requests through its outbox. */
  driver: string;
  bus: string;
  description: string;
}

/**
 * Runs the cinema story end to end: customers reserve seats, the wallet charges them, the show confirms — with
 * insufficient funds, poison wallets, slow charges that succeed after the reservation timed out, and duplicate
 * deliveries mixed in. Returns the counts and whether the invariants hold.
 */
export async function runCinemaDemo(options: CinemaDemoOptions = {}): Promise<CinemaDemoResult> {
  const started = Date.now();
  const paymentTimeoutMs = options.paymentTimeoutMs ?? 5000;
  const plan = planDemo({
    reservations: options.reservations ?? 1000,
    seed: options.seed ?? 1,
    faults: {
      insufficientFunds: 0.05,
      poisonWallets: 0.02,
      timeouts: 0.02,
      duplicates: 0.03,
      ...options.faults,
    },
    paymentTimeoutMs,
    slowChargeMs: options.slowChargeMs ?? paymentTimeoutMs + 2000,
  });
  const logger = options.logger ?? silentLogger;
  const where = locations(options);
  const bus = await openBus(where.bus, logger);
  const stores = {
    show: await openStore(where.show, bus, logger),
    wallet: await openStore(where.wallet, bus, logger),
    driver: await openStore(where.driver, bus, logger),
  };
  const orchestrated = options.orchestrated === true;
  if (options.killStorm !== undefined && options.processes !== true) {
    throw new TypeError('killStorm needs processes: true (it kills service processes)');
  }
  const hosts =
    options.processes === true
      ? await processHosts(plan, where, options.walletInstances ?? 1, orchestrated)
      : await startInProcess(plan, stores, bus, logger, orchestrated);
  const send = orchestrated ? sendOrchestratedBatch : sendReservations;
  // The customers publish through their own outbox; starting their service runs its relay.
  const driver = createService({ name: 'cinema-driver', store: stores.driver, bus, logger });
  let walletRestarts = 0;
  let storm: KillStorm | undefined;
  try {
    await driver.start();
    if (options.killStorm !== undefined && hosts.processes !== undefined) {
      storm = startKillStorm(hosts.processes, { seed: options.seed ?? 1, ...options.killStorm });
    }
    const killAt =
      options.processes === true && options.killWallet === true
        ? Math.floor(plan.reservations.length / 2)
        : -1;
    const batch = 50;
    for (let i = 0; i < plan.reservations.length; i += batch) {
      if (killAt >= i && killAt < i + batch) {
        await hosts.restartWallet();
        walletRestarts++;
      }
      await send(driver, plan.reservations.slice(i, i + batch));
      options.onProgress?.({
        phase: 'reserving',
        done: Math.min(i + batch, plan.reservations.length),
        total: plan.reservations.length,
      });
    }
    const observers = {
      show: createService({ name: 'show-observer', store: stores.show, bus }).entity(show),
      wallet: createService({ name: 'wallet-observer', store: stores.wallet, bus }).entity(wallet),
      walletStore: stores.wallet,
    };
    const deadline = Date.now() + (options.settleTimeoutMs ?? 180_000);
    // Every kill lands while the story runs: settling is judged only once the last victim runs again.
    const stormProblem = await storm?.finished.then(
      () => undefined,
      (error: unknown) => `kill storm: ${error instanceof Error ? error.message : String(error)}`,
    );
    const services = [driver, ...hosts.services];
    const progress = (pending: number) =>
      options.onProgress?.({
        phase: 'settling',
        done: plan.reservations.length - pending,
        total: plan.reservations.length,
      });
    // Settled once every service is idle and the story has no reservation pending, refund owed or retry
    // waiting. Idle alone is not enough: payment timeouts and delayed retries fire later.
    let inspection = await inspectCinema(plan, observers);
    while (!inspection.settled && Date.now() < deadline) {
      progress(inspection.counts.pending);
      try {
        await whenAllIdle(services, { timeoutMs: Math.max(1, deadline - Date.now()) });
      } catch (error) {
        inspection = await inspectCinema(plan, observers);
        inspection.problems.push(error instanceof Error ? error.message : String(error));
        break;
      }
      inspection = await inspectCinema(plan, observers);
      if (!inspection.settled) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    progress(inspection.counts.pending);
    if (!inspection.settled) inspection.problems.push('the story did not settle in time');
    if (stormProblem !== undefined) inspection.problems.push(stormProblem);
    const kills = storm?.kills ?? [];
    return {
      saga: orchestrated ? 'orchestration' : 'choreography',
      ...(orchestrated ? { runs: await countRuns(observers.show, RESERVATION_WORKFLOW) } : {}),
      ...inspection.counts,
      invariants: inspection.invariants,
      settled: inspection.settled,
      problems: inspection.problems,
      walletRestarts: walletRestarts + kills.filter((k) => k.process.startsWith('wallet-')).length,
      kills: [...kills],
      elapsedMs: Date.now() - started,
      location: where.description,
    };
  } finally {
    await storm?.stop();
    await driver.stop();
    await hosts.stop();
    await Promise.all([stores.show.close(), stores.wallet.close(), stores.driver.close()]);
    await bus.close();
  }
}

function locations(options: CinemaDemoOptions): Locations {
  const run = `cinema_${Date.now().toString(36)}`;
  const store = options.store;
  let where: Locations;
  if (store === undefined) {
    const dir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cinema-'));
    fs.mkdirSync(dir, { recursive: true });
    const bus = options.bus ?? `sqlite:${path.join(dir, 'bus.db')}`;
    where = {
      show: `sqlite:${path.join(dir, 'show.db')}`,
      wallet: `sqlite:${path.join(dir, 'wallet.db')}`,
      driver: options.bus === undefined ? bus : `sqlite:${path.join(dir, 'driver.db')}`,
      bus,
      description: dir,
    };
  } else if (store.startsWith('sqlite:')) {
    where = { show: store, wallet: store, driver: store, bus: options.bus ?? store, description: store };
  } else {
    // PostgreSQL: a schema per service, named after this run, so runs never mix.
    const schema = (name: string) => withParam(store, 'schema', `${run}_${name}`);
    where = {
      show: schema('show'),
      wallet: schema('wallet'),
      driver: schema('driver'),
      bus: options.bus ?? schema('bus'),
      description: `${store} (schemas ${run}_*)`,
    };
  }
  if (where.bus.startsWith('nats:') && !new URL(where.bus).searchParams.has('prefix')) {
    where = {
      ...where,
      bus: withParam(where.bus, 'prefix', run.replace(/_/g, '-')),
      description: `${where.description}, NATS prefix ${run.replace(/_/g, '-')}`,
    };
  }
  return where;
}

interface Hosts {
  /** The cinema's services, or stand-ins that ask their processes. */
  services: ReadonlyArray<IdleSource>;
  /** With `processes`: the service processes. */
  processes?: CinemaProcesses;
  restartWallet(): Promise<void>;
  stop(): Promise<void>;
}

async function startInProcess(
  plan: DemoPlan,
  stores: { show: Store; wallet: Store },
  bus: Bus,
  logger: Logger,
  orchestrated: boolean,
): Promise<Hosts> {
  const showService = orchestrated
    ? createOrchestratedShowService({ store: stores.show, bus, config: plan.config, logger }).service
    : createShowService({ store: stores.show, bus, config: plan.config, logger });
  const walletService = orchestrated
    ? createOrchestratedWalletService({ store: stores.wallet, bus, config: plan.config, logger })
    : createWalletService({ store: stores.wallet, bus, config: plan.config, logger });
  await openWallets(walletService, plan.config);
  await walletService.start();
  await showService.start();
  return {
    services: [showService, walletService],
    restartWallet: () => Promise.resolve(),
    stop: async () => {
      await showService.stop();
      await walletService.stop();
    },
  };
}

async function processHosts(
  plan: DemoPlan,
  where: Locations,
  walletInstances: number,
  orchestrated: boolean,
): Promise<Hosts> {
  const processes = await startProcesses(plan, where, walletInstances, orchestrated);
  return {
    services: processes.services,
    processes,
    restartWallet: () => processes.killAndRestart('wallet', 0),
    stop: () => processes.stop(),
  };
}
