import pg from 'pg';
import type { Logger } from '@parley/core';

/**
 * What a commit tells waiters, as a NOTIFY payload on the schema's channel: `topic:<name>` for messages
 * appended to a topic, or one of the store's tables.
 */
export type ChangeSignal = `topic:${string}` | 'events' | 'outbox' | 'timers' | 'deadletters' | 'states';

export interface ChangeNotifierOptions {
  /** Lends the connection to LISTEN on; it is released (destroyed) when it breaks, then taken again. */
  readonly connect: () => Promise<pg.PoolClient>;
  readonly channel: string;
  readonly logger: Logger;
  /** @default 100 */
  readonly minReconnectMs?: number;
  /** @default 5000 */
  readonly maxReconnectMs?: number;
}

/** Wakes waiters of one store or bus: at once for commits made here, through LISTEN for other processes. */
export interface ChangeNotifier {
  /**
   * Resolves when a signal that `matches` arrives, after `timeoutMs`, when any of `signals` aborts, or when the
   * notifier closes. Never rejects. The waiter is registered before this returns, so a caller that waits before
   * it reads cannot miss a change committed in between (once the listener is connected; every (re)connection
   * wakes all waiters, since notifications sent while it was away are lost).
   */
  wait(
    matches: (signal: ChangeSignal) => boolean,
    timeoutMs: number,
    signals: ReadonlyArray<AbortSignal | undefined>,
  ): Promise<void>;
  /** Tells waiters about a commit made through this process's connections. */
  notify(signals: ReadonlyArray<ChangeSignal>): void;
  /** Resolves every waiter and stops listening. */
  close(): Promise<void>;
}

interface Waiter {
  readonly matches: (signal: ChangeSignal) => boolean;
  readonly wake: () => void;
}

// setTimeout treats larger delays as 1 ms.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The listener connects on the first wait and stays until `close`. When its connection drops (a PostgreSQL
 * restart, a network cut) it reconnects with exponential backoff from `minReconnectMs` to `maxReconnectMs`;
 * waiters meanwhile still time out as usual.
 *
 * @example
 * const changes = createChangeNotifier({ connect: () => pool.connect(), channel: 'parley/app', logger });
 * await changes.wait((s) => s === 'events', 1000, [signal]);
 */
export function createChangeNotifier(options: ChangeNotifierOptions): ChangeNotifier {
  const { logger, channel } = options;
  const minReconnectMs = options.minReconnectMs ?? 100;
  const maxReconnectMs = options.maxReconnectMs ?? 5000;
  const waiters = new Set<Waiter>();
  const closing = new AbortController();
  let listening: Promise<void> | undefined;

  function deliver(signal: ChangeSignal): void {
    for (const waiter of [...waiters]) {
      if (waiter.matches(signal)) waiter.wake();
    }
  }

  function wakeAll(): void {
    for (const waiter of [...waiters]) waiter.wake();
  }

  async function listen(): Promise<void> {
    let delay = minReconnectMs;
    while (!closing.signal.aborted) {
      let client: pg.PoolClient | undefined;
      let failure: unknown;
      try {
        client = await options.connect();
        const connection = client;
        const lost = new Promise<unknown>((resolve) => {
          connection.on('error', resolve);
          connection.on('end', () => resolve(new Error('connection ended')));
          if (closing.signal.aborted) resolve(undefined);
          else closing.signal.addEventListener('abort', () => resolve(undefined), { once: true });
        });
        connection.on('notification', (message: pg.Notification) => {
          if (message.channel === channel) deliver((message.payload ?? '') as ChangeSignal);
        });
        await connection.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        delay = minReconnectMs;
        wakeAll();
        failure = await lost;
      } catch (error) {
        failure = error;
      }
      if (client !== undefined) {
        client.removeAllListeners('notification');
        // A broken connection is destroyed; a healthy one stops listening before it goes back to the pool.
        if (failure === undefined) {
          await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).then(
            () => client.release(),
            (error: unknown) => client.release(error instanceof Error ? error : true),
          );
        } else {
          client.release(true);
        }
      }
      if (closing.signal.aborted) return;
      // Waiters are woken once listening again: only then could a read find what they missed.
      logger.warn({ err: failure, retryInMs: delay }, 'lost the LISTEN connection; reconnecting');
      await sleep(delay, closing.signal);
      delay = Math.min(delay * 2, maxReconnectMs);
    }
  }

  return {
    wait(matches, timeoutMs, signals) {
      return new Promise<void>((resolve) => {
        const abortables = signals.filter((signal): signal is AbortSignal => signal !== undefined);
        if (closing.signal.aborted || !(timeoutMs > 0) || abortables.some((signal) => signal.aborted)) {
          resolve();
          return;
        }
        const waiter: Waiter = { matches, wake };
        const timeout = setTimeout(wake, Math.min(timeoutMs, MAX_TIMEOUT_MS));
        for (const signal of abortables) signal.addEventListener('abort', wake, { once: true });
        waiters.add(waiter);
        listening ??= listen();

        function wake(): void {
          if (!waiters.delete(waiter)) return;
          clearTimeout(timeout);
          for (const signal of abortables) signal.removeEventListener('abort', wake);
          resolve();
        }
      });
    },

    notify(signals) {
      for (const signal of signals) deliver(signal);
    },

    async close() {
      closing.abort();
      wakeAll();
      await listening;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
