import { loadMigrations, type Migration } from '@parley/sql';
import pg from 'pg';
import type { Logger } from '@parley/core';
import { connectClient } from './connectClient.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

let bundled: ReadonlyArray<Migration> | undefined;

/** The migrations shipped with this package, in version order. Read once per process. */
export function bundledMigrations(): ReadonlyArray<Migration> {
  bundled ??= loadMigrations(MIGRATIONS_DIR, '@parley/postgres');
  return bundled;
}

/**
 * Creates `schema` if missing and applies the migrations it has not seen yet, recording each in its
 * `parley_migrations` table. Idempotent, and safe when several processes start at once: everything runs in one
 * transaction holding an advisory lock named after the schema, so a second migrator waits, then finds nothing
 * left to do; a failing migration rolls back entirely. Returns the versions it applied.
 */
export async function migrate(
  pool: pg.Pool,
  schema: string,
  options: { readonly migrations?: ReadonlyArray<Migration>; readonly logger: Logger },
): Promise<number[]> {
  const migrations = options.migrations ?? bundledMigrations();
  const s = pg.escapeIdentifier(schema);
  const client = await connectClient(pool);
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `parley.migrate/${schema}`,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.parley_migrations (
           version    integer     NOT NULL PRIMARY KEY,
           name       text        NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.parley_migrations`);
      const applied = new Set(rows.map((row) => row.version));
      const done: number[] = [];
      // Migration files name their objects without a schema; `SET LOCAL` ends with the transaction.
      await client.query(`SET LOCAL search_path TO ${s}`);
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${s}.parley_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
        done.push(migration.version);
      }
      await client.query('COMMIT');
      const newest = Math.max(0, ...applied);
      if (newest > migrations.length) {
        // A newer Parley migrated this schema. Its changes are meant to be additive, so carry on.
        options.logger.warn(
          { schemaVersion: newest, known: migrations.length },
          'database schema is newer than this Parley',
        );
      }
      if (done.length > 0) options.logger.info({ migrations: done, schema }, 'applied database migrations');
      return done;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
