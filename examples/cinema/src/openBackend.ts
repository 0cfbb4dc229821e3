import type { Bus, Logger, Store } from '@parley/core';

/**
 * Opens a bus from its URL: `sqlite:…`, `postgres://…` (with `?schema=`) or `nats://…` (with `?prefix=`). The
 * adapters are loaded only when used.
 */
export async function openBus(url: string, logger: Logger): Promise<Bus> {
  if (url.startsWith('sqlite:')) return (await import('@parley/sqlite')).createSqliteBus(url, { logger });
  if (url.startsWith('postgres:') || url.startsWith('postgresql:')) {
    return (await import('@parley/postgres')).createPostgresBus(url, { logger });
  }
  if (url.startsWith('nats:') || url.startsWith('tls:'))
    return (await import('@parley/nats')).createNatsBus(url, { logger });
  throw new TypeError(`unsupported bus URL ${JSON.stringify(url)} (sqlite:, postgres:// or nats://)`);
}

/**
 * Opens a service's store from its URL: `sqlite:…` or `postgres://…` (with `?schema=`). When the bus lives in the
 * same database (same SQLite file, same PostgreSQL schema) the store writes to the bus's log directly.
 */
export async function openStore(url: string, bus: Bus, logger: Logger): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const sqlite = await import('@parley/sqlite');
    return 'filename' in bus
      ? sqlite.createSqliteStore(url, { bus: bus as never, logger })
      : sqlite.createSqliteStore(url, { logger });
  }
  if (url.startsWith('postgres:') || url.startsWith('postgresql:')) {
    const postgres = await import('@parley/postgres');
    return postgres.createPostgresStore(url, { logger, ...('schema' in bus ? { bus: bus as never } : {}) });
  }
  throw new TypeError(`unsupported store URL ${JSON.stringify(url)} (sqlite: or postgres://)`);
}

/** The URL with a query parameter set (a PostgreSQL schema, a NATS prefix). */
export function withParam(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.toString();
}
