import v8 from 'node:v8';
import vm from 'node:vm';
import type { BenchBackend } from '../backends.ts';
import { round } from '../percentiles.ts';
import { endToEnd } from './endToEnd.ts';

export interface MemoryResult {
  backend: string;
  messages: number;
  samples: number;
  /** MiB. */
  rss: { start: number; max: number; end: number };
  /** Live heap: sampled right after a full garbage collection. */
  heapUsed: { start: number; max: number; end: number };
  /**
   * Mean live heap over the last quarter of the run divided by the mean over its second quarter (the first is
   * warm-up: caches filling, code compiling): about 1 when memory does not grow with the messages processed.
   */
  heapGrowth: number;
}

const MiB = 1024 * 1024;

/** A full collection, so each sample is the live heap rather than wherever the collector happened to be. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Runs the end-to-end scenario over many messages while sampling RSS and live heap every 500 ms. */
export async function memory(
  backend: BenchBackend,
  messages: number,
  onProgress?: (done: number) => void,
): Promise<MemoryResult> {
  const samples: Array<{ rss: number; heap: number }> = [];
  const sample = () => {
    collectGarbage();
    const usage = process.memoryUsage();
    samples.push({ rss: usage.rss / MiB, heap: usage.heapUsed / MiB });
  };
  sample();
  const timer = setInterval(sample, 500);
  try {
    await endToEnd(backend, {
      count: messages,
      keys: 10_000,
      concurrency: 64,
      ...(onProgress ? { onProgress } : {}),
    });
  } finally {
    clearInterval(timer);
  }
  sample();
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const mean = (list: Array<{ heap: number }>) =>
    list.reduce((sum, s) => sum + s.heap, 0) / Math.max(1, list.length);
  const stats = (pick: (s: { rss: number; heap: number }) => number) => ({
    start: round(pick(samples[0]!), 1),
    max: round(Math.max(...samples.map(pick)), 1),
    end: round(pick(samples[samples.length - 1]!), 1),
  });
  return {
    backend: backend.name,
    messages,
    samples: samples.length,
    rss: stats((s) => s.rss),
    heapUsed: stats((s) => s.heap),
    heapGrowth: round(mean(samples.slice(3 * quarter)) / mean(samples.slice(quarter, 2 * quarter)), 2),
  };
}
