import fs from 'node:fs';
import type { Bus, Store } from '@parley/core';
import { createSqliteBus, createSqliteStore, parseSqliteUrl, type SqliteBus } from '@parley/sqlite';

/** A service's store and bus, opened for operator commands. */
export interface Backend {
  readonly store: Store;
  /** The bus the service's topics travel on: consumer lag on topics is measured against it. */
  readonly bus: Bus;
  /** Closes the store, then the bus. */
  close(): Promise<void>;
}

export interface BackendUrls {
  /** The service's store, e.g. `sqlite:./data/app.db` or a plain file path. */
  readonly store: string;
  /** @default the store URL */
  readonly bus?: string | undefined;
}

const SUPPORTED = 'sqlite:, postgres:// (store or bus), nats:// (bus)';

/**
 * Opens the store and bus an operator command works on. The scheme of the store URL picks the adapter; a URL
 * without a scheme is a SQLite file path. Unlike a service, it never creates a database: a wrong path is an
 * error, not a fresh empty file.
 *
 * @example
 * const backend = await openBackend({ store: 'sqlite:./data/app.db' });
 * try {
 *   const admin = createAdmin({ store: backend.store, bus: backend.bus });
 * } finally {
 *   await backend.close();
 * }
 */
export async function openBackend(urls: BackendUrls): Promise<Backend> {
  const busUrl = urls.bus ?? urls.store;
  const scheme = schemeOf(urls.store);
  switch (scheme) {
    case 'sqlite':
      if (schemeOf(busUrl) === 'sqlite') return openSqlite(urls.store, busUrl);
      mustExist(urls.store, 'store');
      return combine(await openBus(busUrl), () => createSqliteStore(urls.store));
    case 'postgres':
    case 'postgresql': {
      const { createPostgresStore } = await import('@parley/postgres');
      return combine(await openBus(busUrl), (bus) =>
        createPostgresStore(urls.store, 'schema' in bus ? { bus: bus as never } : {}),
      );
    }
    default:
      throw unsupported('store', urls.store, scheme);
  }
}

/** A bus that is not a SQLite file: PostgreSQL or NATS (loaded only when used). */
async function openBus(url: string): Promise<Bus> {
  const scheme = schemeOf(url);
  if (scheme === 'postgres' || scheme === 'postgresql')
    return (await import('@parley/postgres')).createPostgresBus(url);
  if (scheme === 'nats') return (await import('@parley/nats')).createNatsBus(url);
  if (scheme === 'sqlite') {
    mustExist(url, 'bus');
    return createSqliteBus(url);
  }
  throw unsupported('bus', url, scheme);
}

/** Opens the store over an open bus; closes the bus again if the store cannot be opened. */
function combine(bus: Bus, openStore: (bus: Bus) => Store): Backend {
  let store: Store;
  try {
    store = openStore(bus);
  } catch (error) {
    void bus.close();
    throw error;
  }
  return {
    store,
    bus,
    async close() {
      try {
        await store.close();
      } finally {
        await bus.close();
      }
    },
  };
}

/** The URL's scheme in lower case; `sqlite` for a plain path (including a Windows drive path). */
function schemeOf(url: string): string {
  const trimmed = url.trim();
  if (/^[A-Za-z]:[\\/]/.test(trimmed)) return 'sqlite';
  return /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(trimmed)?.[1]?.toLowerCase() ?? 'sqlite';
}

function unsupported(what: 'store' | 'bus', url: string, scheme: string): Error {
  return new Error(
    `unsupported ${what} URL ${JSON.stringify(url)}: scheme "${scheme}:" (supported: ${SUPPORTED})`,
  );
}

function openSqlite(storeUrl: string, busUrl: string): Backend {
  mustExist(storeUrl, 'store');
  mustExist(busUrl, 'bus');
  return combine(createSqliteBus(busUrl), (bus) => createSqliteStore(storeUrl, { bus: bus as SqliteBus }));
}

function mustExist(url: string, what: 'store' | 'bus'): void {
  const location = parseSqliteUrl(url);
  if (!location.memory && !fs.existsSync(location.filename)) {
    throw new Error(`no ${what} database at ${location.filename} (from ${JSON.stringify(url)})`);
  }
}
