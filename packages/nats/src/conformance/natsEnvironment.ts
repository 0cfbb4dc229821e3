import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore } from '@parley/sqlite';
import type { Connection, Environment } from '@parley/testing';
import { createNatsBus } from '../createNatsBus.ts';
import { NATS_URL, removePrefix, uniquePrefix } from '../testkit/natsServer.ts';

/**
 * A temporary directory for the services' SQLite stores and a fresh NATS prefix for the bus. The stores are
 * never the bus, so every service's outbox relay publishes to NATS.
 */
export function natsEnvironment(label: string): Environment {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nats-'));
  const prefix = uniquePrefix(label);
  return {
    open(options = {}) {
      return Promise.resolve(openNats(dir, prefix, options.service));
    },
    async dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
      await removePrefix(prefix);
    },
  };
}

export function openNats(dir: string, prefix: string, service = 'app'): Connection {
  const store = createSqliteStore(`sqlite:${path.join(dir, `${service}.db`)}`);
  const bus = createNatsBus({ servers: NATS_URL, prefix });
  return {
    store,
    bus,
    close: async () => {
      await store.close();
      await bus.close();
    },
  };
}
