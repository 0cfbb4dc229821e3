import type { Clock, StoreChange } from '@parley/core';

/** What a write may have changed, as far as waiters care. */
export type ChangeSignal =
  { readonly kind: StoreChange } | { readonly kind: 'messages'; readonly topic: string };

interface Waiter {
  readonly matches: (signal: ChangeSignal) => boolean;
  readonly wake: () => void;
}

// setTimeout treats larger delays as 1 ms.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Wakes the waiters of one in-memory database, whichever connection they came through: a write wakes them at
 * once (a connection of a SQLite file would find another's writes by polling). Timeouts are slept on the clock,
 * so a virtual clock controls them; waiters wake in the order they registered.
 */
export class ChangeHub {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: Clock) {}

  /**
   * Resolves when a signal that `matches` arrives, after `timeoutMs`, or when any of `signals` aborts. Never
   * rejects. The waiter is registered before this returns, so a caller that waits before its read cannot miss a
   * write made in between.
   */
  wait(
    matches: (signal: ChangeSignal) => boolean,
    timeoutMs: number,
    signals: ReadonlyArray<AbortSignal | undefined>,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      const abortables = signals.filter((signal): signal is AbortSignal => signal !== undefined);
      if (!(timeoutMs > 0) || abortables.some((signal) => signal.aborted)) {
        resolve();
        return;
      }
      const waiters = this.waiters;
      const timeout = new AbortController();
      const waiter: Waiter = { matches, wake };
      waiters.add(waiter);
      for (const signal of abortables) signal.addEventListener('abort', wake, { once: true });
      this.clock.sleep(Math.min(timeoutMs, MAX_TIMEOUT_MS), timeout.signal).then(wake, () => {});

      function wake(): void {
        if (!waiters.delete(waiter)) return;
        timeout.abort();
        for (const signal of abortables) signal.removeEventListener('abort', wake);
        resolve();
      }
    });
  }

  /** Wakes the waiters that one of `signals` matches. */
  notify(signals: ReadonlyArray<ChangeSignal>): void {
    if (signals.length === 0) return;
    for (const waiter of [...this.waiters]) {
      if (signals.some(waiter.matches)) waiter.wake();
    }
  }
}
