import { ensureError } from '../errors/ensureError.ts';
import type { TypedEmitter } from '../events/TypedEmitter.ts';
import type { ServiceEvents } from '../events/ServiceEvents.ts';
import type { Clock } from '../clock/Clock.ts';
import type { Logger } from '../logging/Logger.ts';
import type { Bus, TopicSpec } from '../ports/Bus.ts';
import type { OutboxRecord } from '../ports/OutgoingMessage.ts';
import type { Store } from '../ports/Store.ts';
import { RoundSignals } from '../concurrency/RoundSignals.ts';
import { Signal } from '../concurrency/Signal.ts';

const BATCH = 512;
const IDLE_WAIT_MS = 1000;

/**
 * Moves committed outbox messages to the bus, in outbox order, then marks them sent. A crash between publish
 * and mark publishes them again; the bus drops them by message id. Idle when the store writes to the bus's log
 * directly.
 *
 * One message the bus refuses never holds the rest back: when a batch fails, the relay checks each message
 * against the bus's topics; those it can never send as they are (unknown topic, partition out of range) are set
 * aside in the outbox as `failed` — for an operator to discard or put back — and the rest of the batch goes out, in
 * order. When no message is at fault (the bus is unreachable, say), nothing is set aside and the batch is tried
 * again with backoff. Both raise `relay:failed` and log at error level.
 */
export class OutboxRelay {
  private readonly wake: Signal;
  private readonly abort = new AbortController();
  private readonly rounds = new RoundSignals(this.abort.signal);
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: TypedEmitter<ServiceEvents>,
  ) {
    this.wake = new Signal(clock);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Wakes the relay after a local commit. */
  notify(): void {
    this.wake.notify();
  }

  /** Publishes everything still pending, then stops. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake.notify();
    await this.loop;
    try {
      while ((await this.pass()) === BATCH);
    } catch (error) {
      const err = ensureError(error);
      this.logger.warn({ err }, 'final outbox pass failed; the messages stay in the outbox');
      this.events.emit('relay:failed', { error: err, setAside: [], retryInMs: null });
    }
  }

  /** Publishes one batch, setting aside what the bus refuses; returns how many messages it took from the queue. */
  private async pass(): Promise<number> {
    const records = await this.store.fetchOutbox(BATCH);
    if (records.length === 0) return 0;
    let sendable: ReadonlyArray<OutboxRecord> = records;
    try {
      await this.bus.publish(records);
    } catch (error) {
      sendable = await this.setAsideRefused(records, ensureError(error));
      if (sendable.length > 0) await this.bus.publish(sendable);
    }
    await this.store.markSent(sendable.map((r) => r.seq));
    if (sendable.length > 0) this.events.emit('relay:published', { messages: sendable.length });
    return records.length;
  }

  /**
   * After `records` failed to publish: sets aside those the bus's topics cannot take and returns the others, in
   * order. Rethrows `error` when none is at fault, or when the bus cannot even list its topics: then the failure
   * is the bus's, not a message's.
   */
  private async setAsideRefused(
    records: ReadonlyArray<OutboxRecord>,
    error: Error,
  ): Promise<ReadonlyArray<OutboxRecord>> {
    let topics: TopicSpec[];
    try {
      topics = await this.bus.listTopics();
    } catch {
      throw error;
    }
    const partitions = new Map(topics.map((t) => [t.name, t.partitions]));
    const refused: Array<{ record: OutboxRecord; code: string; reason: string }> = [];
    for (const record of records) {
      const count = partitions.get(record.topic);
      if (count === undefined) {
        refused.push({
          record,
          code: 'UNKNOWN_TOPIC',
          reason: `topic "${record.topic}" does not exist on ${this.bus.description}`,
        });
      } else if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= count) {
        refused.push({
          record,
          code: 'PARTITION_OUT_OF_RANGE',
          reason: `partition ${record.partition} is outside topic "${record.topic}" (0 to ${count - 1}) on ${this.bus.description}`,
        });
      }
    }
    if (refused.length === 0) throw error;
    await this.store.setAsideOutbox(
      refused.map(({ record, code, reason }) => ({
        seq: record.seq,
        error: {
          name: 'ParleyError',
          code,
          message: `outbox message ${record.seq} (${record.type}, key ${record.key}) cannot be sent: ${reason}`,
        },
      })),
      new Date(this.clock.now()).toISOString(),
    );
    const setAside = refused.map(({ record, reason }) => ({
      seq: record.seq,
      id: record.id,
      topic: record.topic,
      partition: record.partition,
      type: record.type,
      key: record.key,
      occurredAt: record.occurredAt,
      reason,
    }));
    this.logger.error(
      { err: error, setAside },
      `outbox relay set aside ${refused.length} message(s) the bus refuses; the rest goes on ` +
        '(see `parley outbox list` to discard or retry them)',
    );
    this.events.emit('relay:failed', { error, setAside, retryInMs: null });
    const refusedSeqs = new Set(refused.map(({ record }) => record.seq));
    return records.filter((r) => !refusedSeqs.has(r.seq));
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      // Wait first, read second, so a commit landing between an empty pass and the wait still wakes us.
      const round = this.rounds.next();
      const either = round.signal;
      const woken = Promise.race([
        this.wake.wait(IDLE_WAIT_MS, either),
        this.store.waitForChange(IDLE_WAIT_MS, either, ['outbox']).catch(() => {}),
      ]);
      try {
        const moved = await this.pass();
        failures = 0;
        if (moved < BATCH) await woken;
        round.end();
      } catch (error) {
        round.end();
        failures++;
        const retryInMs = Math.min(30_000, 100 * 2 ** Math.min(failures, 10));
        const err = ensureError(error);
        this.logger.error({ err, failures, retryInMs }, 'outbox relay failed; retrying');
        this.events.emit('relay:failed', { error: err, setAside: [], retryInMs });
        await this.clock.sleep(retryInMs, this.abort.signal).catch(() => {});
      }
    }
  }
}
