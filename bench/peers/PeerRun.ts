import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentiles } from '../percentiles.ts';

/**
 * Shared shape of a peer benchmark run (graphile-worker, BullMQ, raw NATS JetStream), compared side by side with
 * Parley's end-to-end figure (DESIGN.md §5). Each peer publishes `count` copies of `payload`, each with `sentAt`
 * (a wall-clock millisecond timestamp taken just before its publish call) and `seq`, consumes them with
 * `concurrency` handlers, and reports wall time from the first publish to the last handled message.
 */
export interface PeerRunOptions {
  count: number;
  payload: Record<string, unknown>;
  concurrency: number;
  onProgress?: (done: number) => void;
}

export interface PeerResult {
  peer: string;
  count: number;
  seconds: number;
  messagesPerSecond: number;
  latencyMs: { p50: number; p99: number; p999: number };
  notes: string;
}

/** The fields every peer adds to the caller's payload. */
export interface Stamp {
  sentAt: number;
  seq: number;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across the publisher and the handler. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function stamped(payload: Record<string, unknown>, seq: number): Record<string, unknown> & Stamp {
  return { ...payload, sentAt: nowMs(), seq };
}

export function validateOptions(options: PeerRunOptions): void {
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new RangeError(`count must be a positive integer, got ${options.count}`);
  }
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
}

/** A short random suffix, so concurrent or crashed runs never share a schema, queue or stream. */
export function runId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * What a peer's handler does: records publish→handler latency once per `seq` (redeliveries are counted, not
 * recorded again), reports progress, and resolves `done` when every message has been handled once. No I/O.
 */
export class Recorder {
  readonly #count: number;
  readonly #latencies: Float64Array;
  readonly #seen: Uint8Array;
  readonly #onProgress: ((done: number) => void) | undefined;
  readonly #progressStep: number;
  #handled = 0;
  #duplicates = 0;
  #startedAt = 0;
  #finishedAt = 0;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  readonly done: Promise<void>;

  constructor(count: number, onProgress: ((done: number) => void) | undefined) {
    this.#count = count;
    this.#latencies = new Float64Array(count);
    this.#seen = new Uint8Array(count);
    this.#onProgress = onProgress;
    this.#progressStep = Math.max(1, Math.floor(count / 100));
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A run that fails before anyone awaits `done` must not crash the process with an unhandled rejection.
    this.done.catch(() => {});
  }

  /** Call right before the first publish. */
  start(): void {
    this.#startedAt = nowMs();
  }

  /** The handler body: `data` is the decoded message. Throws on a message this run did not send. */
  handle(data: unknown): void {
    const at = nowMs();
    const { sentAt, seq } = (data ?? {}) as Partial<Stamp>;
    if (
      typeof sentAt !== 'number' ||
      typeof seq !== 'number' ||
      !Number.isInteger(seq) ||
      seq < 0 ||
      seq >= this.#count
    ) {
      throw new TypeError(`unexpected message: ${JSON.stringify(data)}`);
    }
    if (this.#seen[seq] === 1) {
      this.#duplicates++;
      return;
    }
    this.#seen[seq] = 1;
    this.#latencies[seq] = at - sentAt;
    this.#handled++;
    if (
      this.#onProgress !== undefined &&
      (this.#handled % this.#progressStep === 0 || this.#handled === this.#count)
    ) {
      this.#onProgress(this.#handled);
    }
    if (this.#handled === this.#count) {
      this.#finishedAt = at;
      this.#resolve();
    }
  }

  fail(error: unknown): void {
    this.#reject(error);
  }

  get handled(): number {
    return this.#handled;
  }

  get duplicates(): number {
    return this.#duplicates;
  }

  /** Waits for every message, failing after `timeoutMs` so a stuck peer still ends the run. */
  async waitAll(timeoutMs: number): Promise<void> {
    await withTimeout(this.done, timeoutMs, () => `${this.#handled}/${this.#count} handled`);
  }

  /**
   * `confirmedAt` (optional): when the peer's own completion records (deletes, acks) were all confirmed by its
   * server, observed by polling after the last handler ran; reported in `notes` as a second, stricter figure.
   */
  result(peer: string, notes: string, confirmedAt?: number): PeerResult {
    const seconds = (this.#finishedAt - this.#startedAt) / 1000;
    const confirmed =
      confirmedAt === undefined
        ? ''
        : ` All ${this.#count} completions confirmed by the server ${round((confirmedAt - this.#startedAt) / 1000, 3)} s ` +
          `after the first publish (${Math.round((this.#count * 1000) / (confirmedAt - this.#startedAt))} msg/s).`;
    const duplicates =
      this.#duplicates === 0 ? '' : ` ${this.#duplicates} redelivered message(s) were ignored.`;
    return {
      peer,
      count: this.#count,
      seconds: round(seconds, 3),
      messagesPerSecond: Math.round(this.#count / seconds),
      // The same percentile definition as the Parley scenarios (bench/percentiles.ts).
      latencyMs: percentiles(Array.from(this.#latencies)),
      notes: notes + confirmed + duplicates,
    };
  }
}

/** Resolves or rejects as `promise` does, or rejects after `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what()}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Generous upper bound on how long a run may take before it is abandoned (and cleaned up). */
/** Polls `check` every `intervalMs` until it returns true; returns the time it first did. */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 2,
): Promise<number> {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    if (await check()) return nowMs();
    if (nowMs() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function runTimeoutMs(count: number): number {
  return 60_000 + count * 5;
}

/** The installed version of a package, read from its package.json (which some packages do not export). */
export function packageVersion(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name && pkg.version !== undefined) return pkg.version;
    } catch {
      // no package.json at this level
    }
    const parent = dirname(dir);
    if (parent === dir) return '?';
    dir = parent;
  }
}
