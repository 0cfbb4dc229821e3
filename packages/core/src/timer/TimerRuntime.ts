import type { Clock } from '../clock/Clock.ts';
import { Signal } from '../concurrency/Signal.ts';
import { isConcurrencyError } from '../errors/ConcurrencyError.ts';
import { ensureError } from '../errors/ensureError.ts';
import type { Logger } from '../logging/Logger.ts';
import { emptyChange } from '../ports/Change.ts';
import type { OutgoingMessage } from '../ports/OutgoingMessage.ts';
import type { Store } from '../ports/Store.ts';

const BATCH = 256;
const POLL_MS = 1000;

/**
 * Fires a service's durable timers: when one is due, its message goes to the outbox and the timer is deleted,
 * in one transaction. Timers survive restarts; when two processes race for one, the loser's commit conflicts
 * and it moves on, so each fires once.
 */
export class TimerRuntime {
  private readonly wake: Signal;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly fired: (message: OutgoingMessage) => void,
  ) {
    this.wake = new Signal(clock);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A timer was scheduled in this process: look again. */
  notify(): void {
    this.wake.notify();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake.notify();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const now = this.clock.now();
        const due = await this.store.dueTimers(now, BATCH);
        for (const timer of due) {
          try {
            await this.store.commit({ ...emptyChange, firedTimers: [timer.id], outgoing: [timer.message] });
            this.fired(timer.message);
          } catch (error) {
            if (!isConcurrencyError(error)) throw error;
          }
        }
        failures = 0;
        if (due.length === BATCH) continue;
        const next = await this.store.nextTimerDue();
        const wait = next === undefined ? POLL_MS : Math.max(0, Math.min(POLL_MS, next - this.clock.now()));
        if (wait > 0) await this.wake.wait(wait, this.abort.signal);
      } catch (error) {
        failures++;
        this.logger.error({ err: ensureError(error), failures }, 'firing timers failed; retrying');
        await this.clock
          .sleep(Math.min(30_000, 100 * 2 ** Math.min(failures, 10)), this.abort.signal)
          .catch(() => {});
      }
    }
  }
}
