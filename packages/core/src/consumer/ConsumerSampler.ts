import type { Clock } from '../clock/Clock.ts';
import { ensureError } from '../errors/ensureError.ts';
import type { Logger } from '../logging/Logger.ts';
import { SAMPLE_RETENTION_MS, type ConsumerSample } from '../ports/ConsumerSample.ts';
import type { Store } from '../ports/Store.ts';
import type { ConsumerSource } from './ConsumerSource.ts';

/** What the sampler asks of its consumer. */
export interface SampledConsumer {
  readonly name: string;
  readonly source: ConsumerSource;
  /** The partitions this instance owns now, with their checkpoints. */
  owned(): ReadonlyArray<{ partition: number; checkpoint: number }>;
}

/**
 * Keeps a consumer's throughput and lag in the store for operators: at the end of every interval (aligned on
 * multiples of `intervalMs` since the epoch, on the service's clock), one sample per owned partition — the
 * messages committed in the interval, and the lag in messages and in seconds (the age of the oldest message not
 * handled yet) — and samples older than an hour are pruned. A write that fails is logged and its counts carried
 * to the next one: sampling never holds the consumer up.
 */
export class ConsumerSampler {
  private counts = new Map<number, number>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly consumer: SampledConsumer,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly intervalMs: number,
  ) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0)
      throw new RangeError(`sampleIntervalMs must be a positive integer, got ${intervalMs}`);
  }

  /** Messages of `partition` committed just now. */
  count(partition: number, messages: number): void {
    if (messages > 0) this.counts.set(partition, (this.counts.get(partition) ?? 0) + messages);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the loop and writes what the interval under way counted so far (a restart within it adds to it). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.loop !== undefined) await this.flush(this.intervalStart(this.clock.now()));
  }

  private intervalStart(now: number): number {
    return now - (now % this.intervalMs);
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const now = this.clock.now();
      const at = this.intervalStart(now);
      try {
        await this.clock.sleep(at + this.intervalMs - now, this.abort.signal);
      } catch {
        return; // stopping: stop() writes the interval under way
      }
      await this.flush(at);
    }
  }

  /** Writes the samples of the interval starting at `at`; on failure keeps the counts for the next write. */
  private async flush(at: number): Promise<void> {
    const counts = this.counts;
    this.counts = new Map();
    try {
      const now = this.clock.now();
      const samples: ConsumerSample[] = [];
      for (const { partition, checkpoint } of this.consumer.owned()) {
        const lag = await this.consumer.source.countAfter(partition, checkpoint);
        samples.push({
          consumer: this.consumer.name,
          source: this.consumer.source.name,
          partition,
          at,
          intervalMs: this.intervalMs,
          processed: counts.get(partition) ?? 0,
          lag,
          lagSeconds: lag === 0 ? 0 : await this.oldestAge(partition, checkpoint, now),
        });
      }
      await this.store.recordSamples(samples, now - SAMPLE_RETENTION_MS);
    } catch (error) {
      for (const [partition, n] of counts) this.count(partition, n);
      this.logger.warn({ err: ensureError(error) }, 'writing consumer samples failed; trying again later');
    }
  }

  /** Seconds since the oldest message after the checkpoint was produced (0 when unknown). */
  private async oldestAge(partition: number, checkpoint: number, now: number): Promise<number> {
    const occurredAt = await this.consumer.source.producedAfter(partition, checkpoint);
    const produced = occurredAt === undefined ? Number.NaN : Date.parse(occurredAt);
    return Number.isFinite(produced) ? Math.max(0, (now - produced) / 1000) : 0;
  }
}
