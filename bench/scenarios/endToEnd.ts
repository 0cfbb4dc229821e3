import { createService, type Service } from '@parley/core';
import type { BenchBackend } from '../backends.ts';
import { benchAccount, benchOrders, recordOrder } from '../benchModel.ts';
import { benchPayload } from '../payload.ts';
import { LatencyReservoir } from '../LatencyReservoir.ts';
import { round } from '../percentiles.ts';

export interface EndToEndOptions {
  count: number;
  /** Distinct keys (accounts). */
  keys: number;
  concurrency: number;
  /** Messages per second to publish at; unlimited (batches of 500 as fast as possible) when absent. */
  rate?: number;
  /** Keys whose handler always fails (parked at once). */
  poisonKeys?: ReadonlySet<string>;
  /**
   * What the handler does: `entity` executes a command that appends an event (the end-to-end scenario);
   * `none` only acknowledges, so the commit carries just the checkpoint — the work the peers' handlers do.
   * @default 'entity'
   */
  work?: 'entity' | 'none';
  /**
   * Publish every message before the consumer starts, and time the consumer alone draining that backlog (a
   * service catching up after downtime); latencies then include the wait in the backlog.
   * @default false
   */
  backlog?: boolean;
  onProgress?: (done: number) => void;
}

export interface EndToEndResult {
  backend: string;
  work: 'entity' | 'none';
  backlog: boolean;
  count: number;
  healthy: number;
  seconds: number;
  /**
   * Healthy messages per second, from the first publish (with `backlog`, from the consumer's start) to the commit
   * of the last message.
   */
  messagesPerSecond: number;
  /** Publish → handler, healthy messages only. */
  latencyMs: { p50: number; p99: number; p999: number };
  parked: number;
}

const BATCH = 500;

/**
 * Publish → consume → the handler commits an entity event with the checkpoint. Measures the healthy messages'
 * throughput and their publish→handler latency.
 */
export async function endToEnd(backend: BenchBackend, options: EndToEndOptions): Promise<EndToEndResult> {
  const poison = options.poisonKeys ?? new Set<string>();
  const keyOf = (i: number) => `account-${i % options.keys}`;
  let healthyTotal = 0;
  for (let i = 0; i < options.count; i++) if (!poison.has(keyOf(i))) healthyTotal++;
  const latencies = new LatencyReservoir();
  const work = options.work ?? 'entity';
  let parked = 0;
  let lastCommit = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const consumer: Service = createService({
    name: 'bench-consumer',
    store: backend.store,
    bus: backend.bus,
    leases: false,
  })
    .entity(benchAccount)
    .consumer({
      name: 'bench-handler',
      source: benchOrders,
      concurrency: options.concurrency,
      retry: { immediateRetries: 0, delayedRetries: 0 },
      stormGuard: false,
      handle: {
        OrderPlaced: async (message, ctx) => {
          if (poison.has(message.key)) throw new Error('poison');
          latencies.add(performance.timeOrigin + performance.now() - message.payload.sentAt);
          if (work === 'none') return;
          await ctx.execute(benchAccount, message.key, recordOrder(message.payload));
        },
      },
    });
  consumer.on('consumer:dead-lettered', () => parked++);
  let committed = 0;
  consumer.on('consumer:committed', (event) => {
    if (event.consumer !== 'bench-handler') return;
    lastCommit = performance.now();
    committed += event.messages;
    options.onProgress?.(committed);
    if (committed >= options.count) resolveDone();
  });
  const publisher = createService({
    name: 'bench-publisher',
    store: backend.store,
    bus: backend.bus,
    leases: false,
  });
  await publisher.start();
  let consuming = false;
  if (options.backlog !== true) {
    await consumer.start();
    consuming = true;
  }
  let started = performance.now();
  try {
    const perBatch = options.rate === undefined ? BATCH : Math.max(1, Math.round(options.rate / 100));
    for (let i = 0; i < options.count; i += perBatch) {
      const batchStart = performance.now();
      const messages = [];
      for (let j = i; j < Math.min(options.count, i + perBatch); j++) {
        messages.push({
          type: 'OrderPlaced' as const,
          key: keyOf(j),
          payload: { ...benchPayload(j), sentAt: performance.timeOrigin + performance.now() },
        });
      }
      await publisher.publish(benchOrders, messages);
      if (options.rate !== undefined) {
        const wait = 10 - (performance.now() - batchStart);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    if (!consuming) {
      started = performance.now();
      await consumer.start();
      consuming = true;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, 600_000)))]);
    clearTimeout(timer);
  } finally {
    await publisher.stop();
    if (consuming) await consumer.stop();
  }
  const seconds = (lastCommit - started) / 1000;
  return {
    backend: backend.name,
    work,
    backlog: options.backlog === true,
    count: options.count,
    healthy: healthyTotal,
    seconds: round(seconds, 3),
    messagesPerSecond: Math.round(healthyTotal / seconds),
    latencyMs: latencies.percentiles(),
    parked,
  };
}
