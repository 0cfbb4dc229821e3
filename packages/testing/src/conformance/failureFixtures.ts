import { createAdmin, schemaRegistry, type Admin, type RetryPolicy, type Service } from '@parley/core';
import type { Connection } from './ConformanceTarget.ts';
import { numbers } from './fixtures.ts';
import type { Harness } from './harness.ts';

/** Fast retries so tests exhaust in milliseconds: two deliveries of two attempts. */
export const quick: RetryPolicy = {
  immediateRetries: 1,
  immediateDelay: 1,
  initialInterval: 30,
  maxInterval: 60,
  delayedRetries: 1,
};

/** A consumer of `numbers` that fails for the `key:seq` pairs in `failing` and records what it handled. */
export function flaky(
  h: Harness,
  conn: Connection,
  failing: Set<string>,
  handled: Map<string, number[]>,
  options: { retry?: RetryPolicy; name?: string } = {},
): Service {
  return h.service(conn, 'flaky').consumer({
    name: options.name ?? 'flaky-consumer',
    source: numbers,
    retry: options.retry ?? quick,
    stormGuard: false,
    handle: (message) => {
      if (failing.has(`${message.key}:${message.payload.seq}`))
        throw new Error(`boom at ${message.key}:${message.payload.seq}`);
      const list = handled.get(message.key) ?? [];
      list.push(message.payload.seq);
      handled.set(message.key, list);
    },
  });
}

export function numbered(key: string, seqs: number[]) {
  return seqs.map((seq) => ({ type: 'Numbered' as const, key, payload: { key, seq } }));
}

export function adminOf(conn: Connection): Admin {
  return createAdmin({ store: conn.store, bus: conn.bus, schemas: schemaRegistry({ topics: [numbers] }) });
}
