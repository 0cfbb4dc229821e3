import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdmin, createService, type LeaseStore, type Store } from '@parley/core';
import { benchAccount, benchOrders } from '../benchModel.ts';
import { benchPayload } from '../payload.ts';
import { round } from '../percentiles.ts';
import { newPlace, openPlace, removePlace, type ScaleOutEngine } from './scaleOutPlace.ts';
import { CONSUMER, type WorkerCommand, type WorkerConfig, type WorkerReport } from './scaleOutProtocol.ts';

export type { ScaleOutEngine } from './scaleOutPlace.ts';

export interface ScaleOutOptions {
  engine: ScaleOutEngine;
  /** Worker processes running the consumer service, each under its own instance id. */
  processes: number;
  count: number;
  /** Distinct keys (accounts). @default 1000 */
  keys?: number;
  /** Handlers in flight in each process. @default 64 */
  concurrency?: number;
  /**
   * `backlog`: the consumer is paused (as an operator would), the backlog published, the workers started; once
   * the leases show every worker holding its fair share, the consumer is resumed and the clock starts — the drain
   * of a backlog by an already balanced group. `live`: the workers start on the empty topic, and once balanced the
   * parent publishes as fast as it can while they consume; the clock runs from the first publish.
   * @default 'backlog'
   */
  mode?: 'backlog' | 'live';
  /**
   * The workers' partition lease lifetime; they renew every third of it. Shorter balances sooner (balancing is
   * not timed) but makes a stalled process lose its membership: a SQLite process waiting for the write lock
   * blocks its event loop, and 1.5 s proved too short on 2 cores. @default 5000
   */
  leaseTtlMs?: number;
  /**
   * Run the workers on the packages' source (`--conditions=source`, as the tests do) rather than on their compiled
   * dist (the bench). @default false
   */
  fromSource?: boolean;
  /** Called with the messages committed so far, by all workers together. */
  onProgress?: (done: number) => void;
  /** @default 600000 */
  timeoutMs?: number;
}

export interface ScaleOutWorkerResult {
  instance: string;
  /** The partitions its leases held when the clock started. */
  partitions: number[];
  /** Messages it committed. */
  messages: number;
  /** Times its owned partitions changed after the clock started (a lease lost or taken). */
  rebalances: number;
  rewinds: number;
  /** `backlog` mode: ms from the resume to this worker noticing it (it polls the store's consumer state). */
  resumeNoticedMs?: number;
}

export interface ScaleOutResult {
  engine: ScaleOutEngine;
  mode: 'backlog' | 'live';
  processes: number;
  count: number;
  /** From the workers' start until every worker held its fair share of the partitions (not timed). */
  balanceSeconds: number;
  seconds: number;
  /**
   * Messages per second: with `backlog`, from the resume to the commit of the last message; with `live`, from the
   * first publish.
   */
  messagesPerSecond: number;
  /** Events found in the store afterwards: one per message, each order once (checked). */
  events: number;
  workers: ScaleOutWorkerResult[];
}

const BATCH = 500;
const here = path.dirname(fileURLToPath(import.meta.url));
const workerFile = path.join(here, 'scaleOutWorker.ts');
const root = path.resolve(here, '..', '..');
const now = () => performance.timeOrigin + performance.now();

interface Worker {
  readonly instance: string;
  readonly child: ChildProcess;
  committed: number;
  lastCommitAt: number;
  rebalances: number;
  rewinds: number;
  resumedAt?: number;
  stopping: boolean;
  stderr: string;
}

/**
 * One service's consumer in `processes` OS processes sharing one store (a SQLite file, a PostgreSQL schema) and
 * its topic's partitions through partition leases: publish → consume → the handler executes the `benchAccount`
 * command, committed with the checkpoint, as in the end-to-end scenario. Fails unless every message was handled
 * exactly once (one event per order in the store, commits adding up to the count) and, with several processes,
 * every process handled some.
 */
export async function scaleOut(options: ScaleOutOptions): Promise<ScaleOutResult> {
  const mode = options.mode ?? 'backlog';
  const keys = options.keys ?? 1000;
  const leaseTtlMs = options.leaseTtlMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 600_000;
  if (
    !Number.isInteger(options.processes) ||
    options.processes < 1 ||
    options.processes > benchOrders.partitions
  ) {
    throw new RangeError(`processes must be 1 to ${benchOrders.partitions}`);
  }
  const place = newPlace(options.engine);
  const workers: Worker[] = [];
  let shared: Awaited<ReturnType<typeof openPlace>> | undefined;
  let stopPublisher = async () => {};
  try {
    shared = await openPlace(place);
    const { store, bus } = shared;
    const publisher = createService({ name: 'bench-publisher', store, bus, leases: false });
    // Creates the schema and the topic before any worker opens the place.
    await publisher.start();
    stopPublisher = () => publisher.stop();
    const admin = createAdmin({ store, bus });
    const publishAll = async () => {
      for (let i = 0; i < options.count; i += BATCH) {
        const messages = [];
        for (let j = i; j < Math.min(options.count, i + BATCH); j++) {
          messages.push({
            type: 'OrderPlaced' as const,
            key: `account-${j % keys}`,
            payload: { ...benchPayload(j), sentAt: now() },
          });
        }
        await publisher.publish(benchOrders, messages);
      }
    };
    if (mode === 'backlog') {
      await admin.consumers.pause(CONSUMER, { by: 'bench', reason: 'the group balances first' });
      await publishAll();
      // Flushes the outbox: the whole backlog is on the topic before any worker starts.
      await publisher.stop();
      stopPublisher = async () => {};
    }

    // A failure in any worker (an early exit, a dead letter) ends the run.
    let fail!: (error: Error) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined);
    let progress = () => {};
    for (let i = 0; i < options.processes; i++) {
      workers.push(
        spawnWorker(
          {
            place,
            instanceId: `scale-out-${i + 1}`,
            concurrency: options.concurrency ?? 64,
            leaseTtlMs,
          },
          options.fromSource === true,
          fail,
          () => progress(),
        ),
      );
    }
    await within(Promise.all(workers.map((w) => nextReport(w, 'ready'))), failed, 60_000, 'workers ready');
    const startSent = now();
    const started = Promise.all(workers.map((w) => nextReport(w, 'started')));
    for (const w of workers) send(w, { type: 'start' });
    await within(started, failed, 60_000, 'workers started');
    const leases = bus.leases ?? store.leases;
    if (leases === undefined) throw new Error(`${options.engine} offers no partition leases`);
    const scope = `${CONSUMER}/${benchOrders.name}`;
    const instances = workers.map((w) => w.instance);
    const balanceWithinMs = 10_000 + 5 * leaseTtlMs;
    await within(balanced(leases, scope, instances), failed, balanceWithinMs, 'the partitions to balance');
    const balanceSeconds = (now() - startSent) / 1000;
    // The leases are written a moment before each worker acts on them: a lease round later, the shares are the
    // workers' own (and still fair, or the wait goes on).
    await new Promise((resolve) => setTimeout(resolve, leaseTtlMs / 3 + 100));
    const owned = await within(
      balanced(leases, scope, instances),
      failed,
      balanceWithinMs,
      'the partitions to balance',
    );
    for (const w of workers) w.rebalances = 0;

    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const total = () => workers.reduce((sum, w) => sum + w.committed, 0);
    progress = () => {
      options.onProgress?.(total());
      if (total() >= options.count) resolveDone();
    };
    const clockStart = now();
    if (mode === 'backlog') await admin.consumers.resume(CONSUMER, { by: 'bench' });
    else {
      await within(publishAll(), failed, timeoutMs, 'publishing');
      await publisher.stop();
      stopPublisher = async () => {};
    }
    progress();
    await within(done, failed, timeoutMs, `${options.count} messages committed`);
    const end = Math.max(...workers.map((w) => w.lastCommitAt));
    await Promise.all(workers.map((w) => stopWorker(w)));

    const committed = total();
    const events = await countOrders(store, options.count);
    if (committed !== options.count || events !== options.count) {
      throw new Error(
        `not exactly once: ${options.count} messages, ${committed} committed, ${events} distinct orders recorded`,
      );
    }
    const idle = workers.find((w) => w.committed === 0);
    if (options.processes > 1 && idle !== undefined) throw new Error(`${idle.instance} handled no message`);
    const seconds = (end - clockStart) / 1000;
    return {
      engine: options.engine,
      mode,
      processes: options.processes,
      count: options.count,
      balanceSeconds: round(balanceSeconds, 3),
      seconds: round(seconds, 3),
      messagesPerSecond: Math.round(options.count / seconds),
      events,
      workers: workers.map((w) => ({
        instance: w.instance,
        partitions: owned.get(w.instance) ?? [],
        messages: w.committed,
        rebalances: w.rebalances,
        rewinds: w.rewinds,
        ...(w.resumedAt === undefined ? {} : { resumeNoticedMs: round(w.resumedAt - clockStart, 1) }),
      })),
    };
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w).catch(() => w.child.kill('SIGKILL'))));
    await stopPublisher().catch(() => undefined);
    await shared?.close();
    await removePlace(place);
  }
}

/**
 * Rounds of the scenario in the order given (e.g. 1, 2, 2, 1 processes), each in a fresh place; the mean rate at
 * each process count and the ratio of the largest count's mean to one process's.
 */
export async function scaleOutRounds(
  options: Omit<ScaleOutOptions, 'processes'> & {
    order: ReadonlyArray<number>;
    /** Called after each run. */
    onRun?: (result: ScaleOutResult) => void;
  },
): Promise<{
  engine: ScaleOutEngine;
  mode: 'backlog' | 'live';
  count: number;
  order: number[];
  messagesPerSecond: Record<string, number>;
  ratio: number | null;
  runs: ScaleOutResult[];
}> {
  const { order, onRun, ...rest } = options;
  const runs: ScaleOutResult[] = [];
  for (const processes of order) {
    const result = await scaleOut({ ...rest, processes });
    onRun?.(result);
    runs.push(result);
  }
  const messagesPerSecond: Record<string, number> = {};
  for (const processes of [...new Set(order)].sort((a, b) => a - b)) {
    const rates = runs.filter((r) => r.processes === processes).map((r) => r.messagesPerSecond);
    messagesPerSecond[processes] = Math.round(rates.reduce((sum, r) => sum + r, 0) / rates.length);
  }
  const most = Math.max(...order);
  const one = messagesPerSecond[1];
  const many = messagesPerSecond[most];
  return {
    engine: options.engine,
    mode: options.mode ?? 'backlog',
    count: options.count,
    order: [...order],
    messagesPerSecond,
    ratio: one === undefined || many === undefined || most === 1 ? null : round(many / one, 3),
    runs,
  };
}

function spawnWorker(
  config: WorkerConfig,
  fromSource: boolean,
  fail: (error: Error) => void,
  onCommit: () => void,
): Worker {
  const child = fork(workerFile, [JSON.stringify(config)], {
    cwd: root,
    execArgv: ['--import', 'tsx', ...(fromSource ? ['--conditions=source'] : [])],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const worker: Worker = {
    instance: config.instanceId,
    child,
    committed: 0,
    lastCommitAt: 0,
    rebalances: 0,
    rewinds: 0,
    stopping: false,
    stderr: '',
  };
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    worker.stderr = (worker.stderr + text).slice(-4000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') process.stderr.write(`  [${config.instanceId}] ${line}\n`);
  });
  child.on('message', (report: WorkerReport) => {
    if (report.type === 'committed') {
      worker.committed = report.messages;
      worker.lastCommitAt = report.at;
      onCommit();
    } else if (report.type === 'rebalanced') worker.rebalances++;
    else if (report.type === 'rewound') worker.rewinds++;
    else if (report.type === 'resumed') worker.resumedAt = report.at;
    else if (report.type === 'dead-lettered') {
      fail(new Error(`${config.instanceId} dead-lettered a message of ${report.key}: ${report.error}`));
    }
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 || !worker.stopping) {
      fail(new Error(`${config.instanceId} exited (${code ?? signal}): ${worker.stderr.trim()}`));
    }
  });
  return worker;
}

function send(worker: Worker, command: WorkerCommand): void {
  if (worker.child.connected) worker.child.send(command);
}

function nextReport(worker: Worker, type: WorkerReport['type']): Promise<void> {
  return new Promise((resolve) => {
    const listener = (report: WorkerReport) => {
      if (report.type !== type) return;
      worker.child.off('message', listener);
      resolve();
    };
    worker.child.on('message', listener);
  });
}

async function stopWorker(worker: Worker): Promise<void> {
  const child = worker.child;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  worker.stopping = true;
  send(worker, { type: 'stop' });
  const late = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(late);
}

/** Resolves with each instance's partitions once the leases show every instance holding its fair share. */
async function balanced(
  leases: LeaseStore,
  scope: string,
  instances: ReadonlyArray<string>,
): Promise<Map<string, number[]>> {
  const members = [...instances].sort();
  const partitions = benchOrders.partitions;
  for (;;) {
    const at = Date.now();
    const owned = new Map<string, number[]>(members.map((m) => [m, []]));
    for (const lease of await leases.readLeases(scope)) {
      if (lease.expiresAt > at) owned.get(lease.owner)?.push(lease.partition);
    }
    const fair = members.every(
      (m, i) =>
        owned.get(m)!.length ===
        Math.floor(partitions / members.length) + (i < partitions % members.length ? 1 : 0),
    );
    if (fair) {
      for (const list of owned.values()) list.sort((a, b) => a - b);
      return owned;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Distinct orders among the `benchAccount` events (an order recorded twice counts once). */
async function countOrders(store: Store, count: number): Promise<number> {
  const orders = new Set<string>();
  let after = 0;
  let events = 0;
  for (;;) {
    const page = await store.readEvents(benchAccount.name, after, 5000);
    if (page.length === 0) break;
    for (const event of page) orders.add((event.data as { orderId: string }).orderId);
    events += page.length;
    after = page[page.length - 1]!.position;
  }
  if (events !== orders.size) {
    throw new Error(`not exactly once: ${events} events for ${orders.size} distinct orders (${count} sent)`);
  }
  return orders.size;
}

async function within<T>(work: Promise<T>, failed: Promise<never>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([work, failed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
