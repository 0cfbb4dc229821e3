import type { ConsumerSample } from '@parley/core';

/** The columns of `consumer_samples`, in the order {@link toConsumerSample} reads them. */
export const SAMPLE_COLUMNS = 'consumer, source, partition, at, interval_ms, processed, lag, lag_seconds';

/** A `consumer_samples` row as both engines return it (integers as numbers). */
export interface ConsumerSampleRow {
  consumer: string;
  source: string;
  partition: number;
  at: number;
  interval_ms: number;
  processed: number;
  lag: number;
  lag_seconds: number;
}

export function toConsumerSample(row: ConsumerSampleRow): ConsumerSample {
  return {
    consumer: row.consumer,
    source: row.source,
    partition: row.partition,
    at: row.at,
    intervalMs: row.interval_ms,
    processed: row.processed,
    lag: row.lag,
    lagSeconds: row.lag_seconds,
  };
}

/**
 * Throws a clear error unless every sample is well formed (names are strings; partition, at, counts are
 * non-negative integers; the interval is positive; lagSeconds a non-negative number) and `pruneBefore` a number.
 * Samples of one (consumer, source, partition, at) given twice are merged as a second write would merge them.
 */
export function checkSamples(samples: ReadonlyArray<ConsumerSample>, pruneBefore: number): ConsumerSample[] {
  if (!Number.isFinite(pruneBefore)) {
    throw new TypeError(`recordSamples: pruneBefore must be a number, got ${String(pruneBefore)}`);
  }
  const merged = new Map<string, ConsumerSample>();
  for (const sample of samples) {
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
    const id = JSON.stringify([sample.consumer, sample.source, sample.partition, sample.at]);
    const before = merged.get(id);
    merged.set(
      id,
      before === undefined ? sample : { ...sample, processed: before.processed + sample.processed },
    );
  }
  return [...merged.values()];
}
