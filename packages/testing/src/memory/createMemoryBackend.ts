import { systemClock, type Clock } from '@parley/core';
import type { Connection, Environment } from '../conformance/ConformanceTarget.ts';
import { createMemoryBus } from './createMemoryBus.ts';
import { createMemoryStore } from './createMemoryStore.ts';
import { MemoryDatabase } from './MemoryDatabase.ts';

export interface MemoryBackendOptions {
  /**
   * Names the backend in descriptions and errors: the bus is `memory:<name>`, a service's store
   * `memory:<name>/<service>`.
   * @default 'default'
   */
  readonly name?: string;
  /**
   * Where the waits of `waitForChange` and `waitForMessages` sleep until their timeout, and the time stamped on
   * group progress. A virtual clock makes them deterministic; nothing else in the backend keeps time.
   * @default systemClock of @parley/core
   */
  readonly clock?: Clock;
}

/** Stores and buses kept in memory; every connection opened on it shares the same data. */
export interface MemoryBackend extends Environment {
  readonly description: string;
  /**
   * Opens a store and a bus, as a (restarted or second) process would: a new connection to the same data. With
   * `service`, the store is that service's own database and outgoing messages wait in its outbox for the relay;
   * without, the store is the bus's database and commits write them straight into the topic log. Every
   * connection shares the one bus.
   */
  open(options?: { service?: string }): Promise<Connection>;
  /** Closes every connection still open. The data stays: connections opened afterwards see it. */
  dispose(): Promise<void>;
}

/**
 * An in-memory backend for tests and simulation: a {@link Store} and a {@link Bus} with the semantics of the SQLite
 * adapter — atomic commits that write nothing on a conflict, change notifications, the outbox, dead letters,
 * timers, consumer states, partition leases, instance names and retention — without files, timers of its own
 * or randomness. Data lives as long as the backend object and survives closing and reopening connections.
 *
 * @example
 * const backend = createMemoryBackend();
 * const { store, bus } = await backend.open();
 * const service = createService({ name: 'bank', store, bus });
 */
export function createMemoryBackend(options: MemoryBackendOptions = {}): MemoryBackend {
  const name = options.name ?? 'default';
  const clock = options.clock ?? systemClock;
  const description = `memory:${name}`;
  const shared = new MemoryDatabase(description, clock);
  const services = new Map<string, MemoryDatabase>();
  const open = new Set<Connection>();

  function databaseOf(service: string): MemoryDatabase {
    let db = services.get(service);
    if (db === undefined)
      services.set(service, (db = new MemoryDatabase(`${description}/${service}`, clock)));
    return db;
  }

  return {
    description,

    open(openOptions = {}) {
      const { service } = openOptions;
      const bus = createMemoryBus(shared, clock);
      const store =
        service === undefined
          ? createMemoryStore(shared, { direct: true })
          : createMemoryStore(databaseOf(service), { direct: false });
      const connection: Connection = {
        store,
        bus,
        async close() {
          open.delete(connection);
          await store.close();
          await bus.close();
        },
      };
      open.add(connection);
      return Promise.resolve(connection);
    },

    async dispose() {
      for (const connection of [...open]) await connection.close();
    },
  };
}
