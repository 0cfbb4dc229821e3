import v8 from 'node:v8';
import vm from 'node:vm';
import {
  createAdmin,
  createService,
  defineTopic,
  schemaRegistry,
  silentLogger,
  type Service,
} from '@parley/core';
import { z } from 'zod';
import type { BenchBackend } from '../backends.ts';
import { round } from '../percentiles.ts';

/** The live heap each case may reach above its baseline, in MiB: the bound the README states. */
export const MEMORY_BOUND_MIB = 256;

export interface MemoryBoundsOptions {
  /** Keys parked at once, each behind its own failed message. @default 10000 */
  parkedKeys?: number;
  /** Messages queued behind one parked head. @default 50000 */
  queuedBehindOne?: number;
  /** Messages of `largeBytes` waiting before the consumer starts. @default 1500 */
  backlog?: number;
  /** @default 1 MiB */
  largeBytes?: number;
  /** @default 64 MiB, the consumers' default */
  readAheadBytes?: number;
  onProgress?: (what: string) => void;
}

/** What one case reached: the baseline before it and the highest samples while it ran, in MiB. */
export interface MemoryCase {
  what: string;
  messages: number;
  seconds: number;
  /** Live heap (right after a full collection) before the case started. */
  heapBefore: number;
  /** Highest live heap sampled while it ran (and at its end). */
  heapMax: number;
  /** heapMax − heapBefore: what the case itself held at its peak. */
  heapGrowth: number;
  rssBefore: number;
  rssMax: number;
  /** heapGrowth ≤ MEMORY_BOUND_MIB. */
  withinBound: boolean;
}

export interface MemoryBoundsResult {
  backend: string;
  /** The consumers' `readAheadBytes` (the default), MiB. */
  readAheadMiB: number;
  boundMiB: number;
  cases: MemoryCase[];
}

const MiB = 1024 * 1024;
/** The consumers' `readAheadBytes`: the default (DEFAULT_READ_AHEAD_BYTES of @parley/core), given explicitly. */
const READ_AHEAD_BYTES = 64 * MiB;

const blobs = defineTopic({
  name: 'bench-blobs',
  partitions: 8,
  messages: { Blob: z.object({ seq: z.number().int(), blob: z.string() }) },
});

/** A full collection, so each sample is the live heap rather than wherever the collector happened to be. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function usage(): { heap: number; rss: number } {
  collectGarbage();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed / MiB, rss: rss / MiB };
}

/** Runs `work` while sampling live heap and RSS every `everyMs`; returns the case's figures. */
async function measured(
  what: string,
  messages: number,
  work: () => Promise<void>,
  everyMs = 200,
): Promise<MemoryCase> {
  const before = usage();
  let heapMax = before.heap;
  let rssMax = before.rss;
  const sample = () => {
    const now = usage();
    heapMax = Math.max(heapMax, now.heap);
    rssMax = Math.max(rssMax, now.rss);
  };
  const started = performance.now();
  const timer = setInterval(sample, everyMs);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const heapGrowth = heapMax - before.heap;
  return {
    what,
    messages,
    seconds: round((performance.now() - started) / 1000, 1),
    heapBefore: round(before.heap, 1),
    heapMax: round(heapMax, 1),
    heapGrowth: round(heapGrowth, 1),
    rssBefore: round(before.rss, 1),
    rssMax: round(rssMax, 1),
    withinBound: heapGrowth <= MEMORY_BOUND_MIB,
  };
}

/** Resolves once `done()` holds, looking every 20 ms; fails after `timeoutMs`. */
async function until(done: () => boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function publishAll(
  service: Service,
  count: number,
  message: (i: number) => { key: string; seq: number; blob: string },
  batch: number,
): Promise<void> {
  for (let i = 0; i < count; i += batch) {
    const messages = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const { key, seq, blob } = message(j);
      messages.push({ type: 'Blob' as const, key, payload: { seq, blob } });
    }
    await service.publish(blobs, messages);
  }
}

/**
 * Memory under the three loads that once grew with the work, each on a fresh backend from `open`: many parked
 * keys (and a message queued behind each), a long queue behind one parked head (parked, then drained), and a
 * backlog of large messages waiting before the consumer starts. Each case reports the live heap it added at its
 * peak, which must stay under {@link MEMORY_BOUND_MIB} with the default `readAheadBytes`.
 */
export async function memoryBounds(
  open: () => Promise<BenchBackend>,
  options: MemoryBoundsOptions = {},
): Promise<MemoryBoundsResult> {
  const parkedKeys = options.parkedKeys ?? 10_000;
  const queued = options.queuedBehindOne ?? 50_000;
  const backlog = options.backlog ?? 1500;
  const largeBytes = options.largeBytes ?? MiB;
  const progress = options.onProgress ?? (() => {});
  const cases: MemoryCase[] = [];
  let backendName = '';

  const withBackend = async (work: (backend: BenchBackend) => Promise<void>) => {
    const backend = await open();
    backendName = backend.name;
    try {
      await work(backend);
    } finally {
      await backend.close();
    }
  };
  const service = (backend: BenchBackend, handle: (m: { key: string; payload: { seq: number } }) => void) =>
    // Silent: every poisoned message would log a warning.
    createService({
      name: 'bench-memory',
      store: backend.store,
      bus: backend.bus,
      leases: false,
      logger: silentLogger,
    }).consumer({
      name: 'bench-memory-consumer',
      source: blobs,
      concurrency: 64,
      retry: { immediateRetries: 0, delayedRetries: 0 },
      stormGuard: false,
      readAheadBytes: options.readAheadBytes ?? READ_AHEAD_BYTES,
      handle,
    });

  // 1. Every key parked behind its own failed message, then one more message for each, queued behind it; then a
  //    restart, which loads the parked keys back.
  await withBackend(async (backend) => {
    progress(`${parkedKeys} parked keys`);
    let committed = 0;
    const first = service(backend, () => {
      throw new Error('poison');
    });
    first.on('consumer:committed', (e) => (committed += e.messages));
    const key = (i: number) => `key-${i % parkedKeys}`;
    cases.push(
      await measured(`${parkedKeys.toLocaleString('en')} parked keys`, 2 * parkedKeys, async () => {
        await first.start();
        await publishAll(first, parkedKeys, (i) => ({ key: key(i), seq: i, blob: 'head' }), 500);
        await until(() => committed >= parkedKeys, 'every key to park');
        await publishAll(
          first,
          parkedKeys,
          (i) => ({ key: key(i), seq: parkedKeys + i, blob: 'queued' }),
          500,
        );
        await until(() => committed >= 2 * parkedKeys, 'a message queued behind every head');
        await first.stop();
        const again = service(backend, () => {
          throw new Error('poison');
        });
        await again.start();
        await again.stop();
      }),
    );
  });

  // 2. One head parked and a long queue behind it; then the head is redriven and the queue drains.
  await withBackend(async (backend) => {
    progress(`${queued} messages behind one parked head`);
    let failing = true;
    let committed = 0;
    let handled = 0;
    const consumer = service(backend, (m) => {
      if (failing && m.payload.seq === 0) throw new Error('the head fails until fixed');
      handled++;
    });
    consumer.on('consumer:committed', (e) => (committed += e.messages));
    const admin = createAdmin({
      store: backend.store,
      bus: backend.bus,
      schemas: schemaRegistry({ topics: [blobs] }),
    });
    cases.push(
      await measured(
        `${queued.toLocaleString('en')} messages queued behind one parked head, then drained`,
        queued + 1,
        async () => {
          await consumer.start();
          await publishAll(consumer, queued + 1, (seq) => ({ key: 'stuck', seq, blob: 'queued' }), 500);
          await until(() => committed >= queued + 1, 'the queue to park');
          failing = false;
          await admin.deadLetters.redrive({ consumer: 'bench-memory-consumer' }, { by: 'bench' });
          await until(() => handled >= queued + 1, 'the queue to drain');
          await consumer.stop();
        },
      ),
    );
  });

  // 3. A backlog of large messages published while no consumer runs, then consumed.
  await withBackend(async (backend) => {
    progress(`${backlog} messages of ${largeBytes} bytes waiting`);
    let handled = 0;
    const consumer = service(backend, () => {
      handled++;
    });
    const publisher = createService({
      name: 'bench-memory-publisher',
      store: backend.store,
      bus: backend.bus,
      leases: false,
    });
    await publisher.start();
    const blob = 'x'.repeat(largeBytes);
    await publishAll(publisher, backlog, (seq) => ({ key: `key-${seq % 100}`, seq, blob }), 8);
    await publisher.stop();
    cases.push(
      await measured(
        `${backlog.toLocaleString('en')} messages of ${round(largeBytes / MiB, 1)} MiB waiting before the consumer starts`,
        backlog,
        async () => {
          await consumer.start();
          await until(() => handled >= backlog, 'the backlog to drain');
          await consumer.stop();
        },
        100,
      ),
    );
  });

  return {
    backend: backendName,
    readAheadMiB: round((options.readAheadBytes ?? READ_AHEAD_BYTES) / MiB, 1),
    boundMiB: MEMORY_BOUND_MIB,
    cases,
  };
}
