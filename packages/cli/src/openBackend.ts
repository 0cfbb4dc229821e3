import fs from 'node:fs';
import type { Bus, Store } from '@parley/core';
import {
  createSqliteBus,
  createSqliteStore,
  inspectSqliteDatabase,
  parseSqliteUrl,
  type SqliteAccess,
  type SqliteBus,
} from '@parley/sqlite';

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
  /**
   * What the command works on. A `bus` command (`topics`) takes a bus file as its store; a `store` command
   * refuses one, since a bus holds no consumers or dead letters to show.
   * @default 'store'
   */
  readonly uses?: 'store' | 'bus';
}

const SUPPORTED = 'sqlite:, postgres:// (store or bus), nats:// (bus)';

/**
 * Opens the store and bus an operator command works on. The scheme of the store URL picks the adapter; a URL
 * without a scheme is a SQLite file path. Unlike a service, it never creates a database: a wrong path is an
 * error, not a fresh empty file. A SQLite file must be a Parley database (not `:memory:`, an empty file or
 * another database), and a store command refuses a bus file as its store. A file this user may only read is
 * opened read-only, so listing works and a command that would change it fails saying why.
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
    case 'sqlite': {
      const access = inspectStore(urls.store, urls.uses ?? 'store');
      if (schemeOf(busUrl) === 'sqlite') return openSqlite(urls.store, access, busUrl);
      return combine(await openBus(busUrl), () =>
        readOnlyGuard(createSqliteStore(urls.store, { access }), access),
      );
    }
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
  if (scheme === 'sqlite') return createSqliteBus(url, { access: inspectBus(url) });
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

function openSqlite(storeUrl: string, storeAccess: SqliteAccess, busUrl: string): Backend {
  const busAccess = inspectBus(busUrl);
  return combine(createSqliteBus(busUrl, { access: busAccess }), (bus) =>
    readOnlyGuard(createSqliteStore(storeUrl, { bus: bus as SqliteBus, access: storeAccess }), storeAccess),
  );
}

/** Checks that a SQLite store URL names a Parley store; how to open it. */
function inspectStore(url: string, uses: 'store' | 'bus'): SqliteAccess {
  mustExist(url, 'store');
  const info = inspectSqliteDatabase(url);
  if (uses === 'store' && !info.serviceState && info.topics.length > 0) {
    const topics = info.topics.slice(0, 5).join(', ') + (info.topics.length > 5 ? ', …' : '');
    throw new Error(
      `${info.filename} holds topics (${topics}) but nothing of a service (no consumers, dead letters, events ` +
        "or read models): it is a bus, not a service's store. Give the store with --store and this file with --bus",
    );
  }
  return info.writable ? 'existing' : 'readOnly';
}

/** Checks that a SQLite bus URL names a Parley database; how to open it. */
function inspectBus(url: string): SqliteAccess {
  mustExist(url, 'bus');
  return inspectSqliteDatabase(url).writable ? 'existing' : 'readOnly';
}

function mustExist(url: string, what: 'store' | 'bus'): void {
  const location = parseSqliteUrl(url);
  if (!location.memory && !fs.existsSync(location.filename)) {
    throw new Error(
      `no ${what} database at ${location.filename} (from ${JSON.stringify(url)}); nothing was created there`,
    );
  }
}

/** A store opened read-only: a command that would change it fails saying why, not with SQLite's words. */
function readOnlyGuard(store: Store, access: SqliteAccess): Store {
  if (access !== 'readOnly') return store;
  return {
    ...store,
    commit: () =>
      Promise.reject(
        new Error(
          `${store.description} may only be read by this user, and this command would change it: run it as a ` +
            'user who may write the file and its directory',
        ),
      ),
  };
}
