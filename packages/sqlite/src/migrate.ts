import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Logger } from '@parley/core';

/** One numbered schema change, from `migrations/NNNN_name.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{4})_([A-Za-z0-9_]+)\.sql$/;
const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

let bundled: ReadonlyArray<Migration> | undefined;

/** The migrations shipped with this package, in version order. Read once per process. */
export function bundledMigrations(): ReadonlyArray<Migration> {
  bundled ??= loadMigrations(MIGRATIONS_DIR);
  return bundled;
}

/** Reads `NNNN_name.sql` files from `dir`, in version order. Throws on a gap or a duplicate number. */
export function loadMigrations(dir: URL): Migration[] {
  if (!fs.existsSync(dir)) {
    // `tsc` alone does not copy SQL files next to the compiled code; the package's build script does.
    throw new Error(`no migrations at ${dir.pathname}: build @parley/sqlite with its "build" script`);
  }
  const migrations = fs
    .readdirSync(dir)
    .flatMap((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (match === null) return [];
      return [
        {
          version: Number(match[1]),
          name: match[2] ?? file,
          sql: fs.readFileSync(new URL(file, dir), 'utf8'),
        },
      ];
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migrations in ${dir.pathname} must be numbered 0001, 0002 … without gaps or duplicates`,
      );
    }
  });
  return migrations;
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
