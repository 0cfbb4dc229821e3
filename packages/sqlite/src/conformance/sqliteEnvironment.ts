import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection, Environment } from '@parley/testing';
import { createSqliteBus } from '../createSqliteBus.ts';
import { createSqliteStore } from '../createSqliteStore.ts';

/**
 * A temporary directory for one test. Without a service name, store and bus share `app.db` (the outbox is the
 * topic log); with one, the service's store is `<service>.db` and the bus is `bus.db` (an outbox relay runs).
 */
export function sqliteEnvironment(): Environment & { dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-conformance-'));
  return {
    dir,
    open(options = {}) {
      return Promise.resolve(openSqlite(dir, options.service));
    },
    dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

export function openSqlite(dir: string, service?: string, file = 'app.db'): Connection {
  const bus = createSqliteBus(`sqlite:${path.join(dir, service === undefined ? file : 'bus.db')}`);
  const store =
    service === undefined
      ? createSqliteStore(`sqlite:${path.join(dir, file)}`, { bus })
      : createSqliteStore(`sqlite:${path.join(dir, `${service}.db`)}`);
  return {
    store,
    bus,
    close: async () => {
      await store.close();
      await bus.close();
    },
  };
}
