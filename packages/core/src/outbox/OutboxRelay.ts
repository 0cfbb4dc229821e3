import { ensureError } from '../errors/ensureError.ts';
import type { TypedEmitter } from '../events/TypedEmitter.ts';
import type { ServiceEvents } from '../events/ServiceEvents.ts';
import type { Clock } from '../clock/Clock.ts';
import type { Logger } from '../logging/Logger.ts';
import type { Bus } from '../ports/Bus.ts';
import type { Store } from '../ports/Store.ts';
import { RoundSignals } from '../concurrency/RoundSignals.ts';
import { Signal } from '../concurrency/Signal.ts';

const BATCH = 512;
const IDLE_WAIT_MS = 1000;

/**
 * Moves committed outbox messages to the bus, in outbox order, then marks them sent. A crash between publish
 * and mark publishes them again; the bus drops them by message id. Idle when the store writes to the bus's log
 * directly.
 */
export class OutboxRelay {
  private readonly wake = new Signal();
  private readonly abort = new AbortController();
  private readonly rounds = new RoundSignals(this.abort.signal);
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: TypedEmitter<ServiceEvents>,
  ) {}

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
      this.logger.warn(
        { err: ensureError(error) },
        'final outbox pass failed; the messages stay in the outbox',
      );
    }
  }

  /** Publishes one batch; returns how many messages it moved. */
  private async pass(): Promise<number> {
    const records = await this.store.fetchOutbox(BATCH);
    if (records.length === 0) return 0;
    await this.bus.publish(records);
    await this.store.markSent(records.map((r) => r.seq));
    this.events.emit('relay:published', { messages: records.length });
    return records.length;
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
        this.logger.error({ err: ensureError(error), failures }, 'outbox relay failed; retrying');
        await this.clock
          .sleep(Math.min(30_000, 100 * 2 ** Math.min(failures, 10)), this.abort.signal)
          .catch(() => {});
      }
    }
  }
}
