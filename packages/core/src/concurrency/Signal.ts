import { systemClock, type Clock } from '../clock/Clock.ts';

/**
 * A wake-up flag for loops: `wait()` resolves at the next `notify()` (or at once if one happened since the last
 * wait), after `timeoutMs`, or when `signal` aborts. Never rejects. A notify with nobody waiting is kept for the
 * next wait; a wait that timed out or was aborted leaves nothing behind that could swallow a later notify.
 */
export class Signal {
  private notified = false;
  private waiters: Array<() => void> = [];

  /** @param clock Times the waits' timeouts. */
  constructor(private readonly clock: Pick<Clock, 'after'> = systemClock) {}

  notify(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) {
      this.notified = true;
      return;
    }
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  wait(timeoutMs?: number, signal?: AbortSignal): Promise<void> {
    if (this.notified || signal?.aborted) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let cancel: (() => void) | undefined;
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        cancel?.();
        signal?.removeEventListener('abort', done);
        const index = this.waiters.indexOf(done);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve();
      };
      this.waiters.push(done);
      if (timeoutMs !== undefined) cancel = this.clock.after(timeoutMs, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
