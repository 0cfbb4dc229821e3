import type { ConsumerSample } from '../ports/ConsumerSample.ts';

/** One sampling interval of a consumer, summed over the partitions sampled in it. */
export interface ConsumerHistoryPoint {
  /** Start of the interval, ms since the epoch. */
  readonly at: number;
  readonly intervalMs: number;
  /** Messages committed in the interval. */
  readonly processed: number;
  /** `processed` per second of the interval. */
  readonly perSecond: number;
  /** Messages not handled yet at the end of the interval, over every partition sampled. */
  readonly lag: number;
  /** Age of the oldest of them, in seconds: the largest over the partitions. */
  readonly lagSeconds: number;
}

/** A consumer's throughput and lag over the last hour (see `Store.listSamples`). */
export interface ConsumerHistory {
  readonly consumer: string;
  readonly source: string;
  /** Oldest first. */
  readonly points: ReadonlyArray<ConsumerHistoryPoint>;
}

/** Sums samples (ordered by consumer, source, at, as the store lists them) into one series per consumer and source. */
export function historyOf(samples: ReadonlyArray<ConsumerSample>): ConsumerHistory[] {
  const series = new Map<
    string,
    { consumer: string; source: string; points: Map<number, ConsumerHistoryPoint> }
  >();
  for (const s of samples) {
    const id = `${s.consumer}\u0000${s.source}`;
    let one = series.get(id);
    if (one === undefined)
      series.set(id, (one = { consumer: s.consumer, source: s.source, points: new Map() }));
    const before = one.points.get(s.at);
    const processed = (before?.processed ?? 0) + s.processed;
    const intervalMs = Math.max(before?.intervalMs ?? 0, s.intervalMs);
    one.points.set(s.at, {
      at: s.at,
      intervalMs,
      processed,
      perSecond: processed / (intervalMs / 1000),
      lag: (before?.lag ?? 0) + s.lag,
      lagSeconds: Math.max(before?.lagSeconds ?? 0, s.lagSeconds),
    });
  }
  return [...series.values()].map(({ consumer, source, points }) => ({
    consumer,
    source,
    points: [...points.values()].sort((a, b) => a.at - b.at),
  }));
}
