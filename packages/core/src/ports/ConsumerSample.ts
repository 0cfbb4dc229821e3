/**
 * What one consumer did in one partition of its source during one sampling interval, and how far behind it was
 * at the end of it: the points of the console's throughput and lag charts. The runtime writes one sample per
 * owned partition per interval; intervals are aligned on multiples of `intervalMs` since the epoch, so the
 * samples of every instance of a consumer fall on the same instants and add up.
 */
export interface ConsumerSample {
  readonly consumer: string;
  /** Topic name, or `entity:<name>`. */
  readonly source: string;
  readonly partition: number;
  /** Start of the interval, in ms since the epoch: a multiple of `intervalMs`. */
  readonly at: number;
  /** Length of the interval, in ms. */
  readonly intervalMs: number;
  /** Messages of the partition committed in the interval (handled, parked or skipped). */
  readonly processed: number;
  /** Messages of the partition not handled yet, when sampled. */
  readonly lag: number;
  /** Age in seconds of the oldest message not handled yet, when sampled; 0 when there is none. */
  readonly lagSeconds: number;
}

/** Which samples to read: those of the last hour at most, since `since`. */
export interface ConsumerSampleFilter {
  /** Only samples with `at` at or after this, in ms since the epoch. */
  readonly since: number;
  /** Only this consumer's. */
  readonly consumer?: string;
}

/** How long samples are kept: the charts cover this much. */
export const SAMPLE_RETENTION_MS = 3_600_000;
