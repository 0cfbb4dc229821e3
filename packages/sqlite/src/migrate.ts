import { loadMigrations, type Migration } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { Logger } from '@parley/core';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

let bundled: ReadonlyArray<Migration> | undefined;

/** The migrations shipped with this package, in version order. Read once per process. */
export function bundledMigrations(): ReadonlyArray<Migration> {
  bundled ??= loadMigrations(MIGRATIONS_DIR, '@parley/sqlite');
  return bundled;
}

/**
 * Applies the migrations `db` has not seen yet, recording each in `parley_migrations`. Idempotent. Safe when
 * several processes open one file at once: the check and the changes run in one `BEGIN IMMEDIATE` transaction,
 * so a second process waits (up to the busy timeout), then finds nothing left to do.
 * Returns the versions it applied.
 */
export function migrate(
  db: Database.Database,
  options: { readonly migrations?: ReadonlyArray<Migration>; readonly logger: Logger },
): number[] {
  const migrations = options.migrations ?? bundledMigrations();
  const run = db.transaction((): number[] => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS parley_migrations (
         version    INTEGER NOT NULL PRIMARY KEY,
         name       TEXT    NOT NULL,
         applied_at TEXT    NOT NULL
       ) STRICT`,
    );
    const applied = new Set(db.prepare<[], number>('SELECT version FROM parley_migrations').pluck().all());
    const record = db.prepare<[number, string, string]>(
      'INSERT INTO parley_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
      done.push(migration.version);
    }
    const newest = Math.max(0, ...applied);
    if (newest > migrations.length) {
      // A newer Parley migrated this file. Its schema changes are meant to be additive, so carry on.
      options.logger.warn(
        { schemaVersion: newest, known: migrations.length },
        'database schema is newer than this Parley',
      );
    }
    return done;
  });
  const done = run.immediate();
  if (done.length > 0) options.logger.info({ migrations: done }, 'applied database migrations');
  return done;
}
