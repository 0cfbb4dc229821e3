import type { ConsumerSample, ConsumerSampleFilter } from '@parley/core';
import { compareText } from './compareText.ts';
import type { MemoryDatabase } from './MemoryDatabase.ts';

/**
 * Consumers' throughput and lag samples, keyed by (consumer, source, partition, at). One table per database,
 * shared by every connection opened on it (see {@link ConsumerSampleTable.of}).
 */
export class ConsumerSampleTable {
  private static readonly tables = new WeakMap<MemoryDatabase, ConsumerSampleTable>();
  private readonly samples = new Map<string, ConsumerSample>();

  /** The table of `db`, created on first use. */
  static of(db: MemoryDatabase): ConsumerSampleTable {
    let table = ConsumerSampleTable.tables.get(db);
    if (table === undefined) ConsumerSampleTable.tables.set(db, (table = new ConsumerSampleTable()));
    return table;
  }

  /** Adds `processed` to a sample already there, replaces its lag; drops samples older than `pruneBefore`. */
  record(samples: ReadonlyArray<ConsumerSample>, pruneBefore: number): void {
    for (const sample of samples) checkSample(sample);
    if (!Number.isFinite(pruneBefore)) throw new TypeError(`recordSamples: pruneBefore must be a number`);
    for (const sample of samples) {
      const id = JSON.stringify([sample.consumer, sample.source, sample.partition, sample.at]);
      const stored = this.samples.get(id);
      this.samples.set(id, {
        consumer: sample.consumer,
        source: sample.source,
        partition: sample.partition,
        at: sample.at,
        intervalMs: sample.intervalMs,
        processed: (stored?.processed ?? 0) + sample.processed,
        lag: sample.lag,
        lagSeconds: sample.lagSeconds,
      });
    }
    for (const [id, sample] of this.samples) if (sample.at < pruneBefore) this.samples.delete(id);
  }

  /** By consumer, source, at and partition. */
  list(filter: ConsumerSampleFilter): ConsumerSample[] {
    return [...this.samples.values()]
      .filter(
        (s) => s.at >= filter.since && (filter.consumer === undefined || s.consumer === filter.consumer),
      )
      .sort(
        (a, b) =>
          compareText(a.consumer, b.consumer) ||
          compareText(a.source, b.source) ||
          a.at - b.at ||
          a.partition - b.partition,
      )
      .map((s) => ({ ...s }));
  }
}

function checkSample(sample: ConsumerSample): void {
  const counts = [sample.partition, sample.at, sample.intervalMs, sample.processed, sample.lag];
  if (
    typeof sample.consumer !== 'string' ||
    typeof sample.source !== 'string' ||
    !counts.every((n) => Number.isSafeInteger(n) && n >= 0) ||
    sample.intervalMs === 0 ||
    !(Number.isFinite(sample.lagSeconds) && sample.lagSeconds >= 0)
  ) {
    throw new TypeError(`recordSamples: not a valid sample: ${JSON.stringify(sample)}`);
  }
}
