import type { BenchBackend } from '../backends.ts';
import { round } from '../percentiles.ts';
import { endToEnd } from './endToEnd.ts';

export interface MemoryResult {
  backend: string;
  messages: number;
  samples: number;
  /** MiB. */
  rss: { start: number; max: number; end: number };
  heapUsed: { start: number; max: number; end: number };
  /** Mean heap in the second half of the run over the first half: about 1 when memory stays flat. */
  heapGrowth: number;
}

const MiB = 1024 * 1024;

/** Runs the end-to-end scenario over many messages while sampling RSS and heap every 500 ms. */
export async function memory(
  backend: BenchBackend,
  messages: number,
  onProgress?: (done: number) => void,
): Promise<MemoryResult> {
  const samples: Array<{ rss: number; heap: number }> = [];
  const sample = () => {
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
  const half = Math.floor(samples.length / 2);
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
    heapGrowth: round(mean(samples.slice(half)) / mean(samples.slice(0, half)), 2),
  };
}
