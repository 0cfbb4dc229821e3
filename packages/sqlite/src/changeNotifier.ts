import type { Logger } from '@parley/core';

/** What a commit may have changed, as far as waiters care. */
export type ChangeSignal =
  | {
      /** `timers`, `dead_letters` and `consumer_states`: new timers, dead letters with an action, run states. */
      readonly table: 'events' | 'outbox' | 'timers' | 'dead_letters' | 'consumer_states';
    }
  | {
      readonly table: 'messages';
      /** Undefined when another connection published: it could be any topic. */
      readonly topic?: string;
    };

export interface ChangeNotifierOptions {
  /**
   * Reports what other connections committed since its last call. Called from the poll timer only while
   * someone waits; omit it when no other connection can write (`:memory:`).
   */
  readonly detect?: () => ReadonlyArray<ChangeSignal>;
  /** @default 2 */
  readonly minPollMs?: number;
  /** @default 50 */
  readonly maxPollMs?: number;
  readonly logger: Logger;
}

/** Wakes up waiters of one database connection. */
export interface ChangeNotifier {
  /**
   * Resolves when a signal that `matches` arrives, after `timeoutMs`, when any of `signals` aborts, or when
   * the notifier closes. Never rejects. The waiter is registered before this returns, so a caller that calls
   * `wait` before its read cannot miss a change committed in between.
   */
  wait(
    matches: (signal: ChangeSignal) => boolean,
    timeoutMs: number,
    signals: ReadonlyArray<AbortSignal | undefined>,
  ): Promise<void>;
  /** Tells waiters about a commit made through this connection (other connections are polled). */
  notify(signals: ReadonlyArray<ChangeSignal>): void;
  /** Resolves every waiter and stops polling. */
  close(): void;
}

interface Waiter {
  readonly matches: (signal: ChangeSignal) => boolean;
  readonly wake: () => void;
}

// setTimeout treats larger delays as 1 ms.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * One notifier per connection: in-process commits wake waiters at once; commits by other connections are found
 * by one shared poll timer that runs only while someone waits, starts at `minPollMs` after a change and backs
 * off to `maxPollMs` while nothing happens. The timer is unref'd, so waiting never keeps a process alive by
 * itself (each waiter's own timeout does, as any timer would).
 *
 * @example
 * const changes = createChangeNotifier({ detect, logger });
 * await changes.wait((s) => s.table === 'events', 1000, [signal]);
 */
export function createChangeNotifier(options: ChangeNotifierOptions): ChangeNotifier {
  const { detect, logger } = options;
  const minPollMs = options.minPollMs ?? 2;
  const maxPollMs = options.maxPollMs ?? 50;
  const waiters = new Set<Waiter>();
  let timer: NodeJS.Timeout | undefined;
  let pollMs = minPollMs;
  let closed = false;

  function deliver(signals: ReadonlyArray<ChangeSignal>): void {
    if (signals.length === 0) return;
    pollMs = minPollMs;
    for (const waiter of [...waiters]) {
      if (signals.some(waiter.matches)) waiter.wake();
    }
  }

  function schedule(): void {
    if (detect === undefined || closed || timer !== undefined || waiters.size === 0) return;
    timer = setTimeout(poll, pollMs);
    timer.unref();
  }

  function poll(): void {
    timer = undefined;
    if (closed || waiters.size === 0 || detect === undefined) return;
    let signals: ReadonlyArray<ChangeSignal> = [];
    try {
      signals = detect();
    } catch (error) {
      logger.warn({ err: error }, 'could not check the database for changes; will retry');
      pollMs = maxPollMs;
    }
    if (signals.length > 0) deliver(signals);
    else pollMs = Math.min(pollMs * 2, maxPollMs);
    schedule();
  }

  return {
    wait(matches, timeoutMs, signals) {
      return new Promise<void>((resolve) => {
        const abortables = signals.filter((signal): signal is AbortSignal => signal !== undefined);
        if (closed || !(timeoutMs > 0) || abortables.some((signal) => signal.aborted)) {
          resolve();
          return;
        }
        const waiter: Waiter = { matches, wake };
        const timeout = setTimeout(wake, Math.min(timeoutMs, MAX_TIMEOUT_MS));
        for (const signal of abortables) signal.addEventListener('abort', wake, { once: true });
        if (waiters.size === 0) pollMs = minPollMs;
        waiters.add(waiter);
        schedule();

        function wake(): void {
          if (!waiters.delete(waiter)) return;
          clearTimeout(timeout);
          for (const signal of abortables) signal.removeEventListener('abort', wake);
          resolve();
        }
      });
    },

    notify(signals) {
      deliver(signals);
    },

    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      for (const waiter of [...waiters]) waiter.wake();
    },
  };
}
