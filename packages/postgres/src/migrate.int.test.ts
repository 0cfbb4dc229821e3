import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '@parley/core';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { loadMigrations, type Migration } from '@parley/sql';
import { bundledMigrations, migrate } from './migrate.ts';
import { describePostgres, testUrl, useSchemas } from './conformance/postgresTestDatabase.ts';

describePostgres('migrate', () => {
  const schemas = useSchemas();
  const pool = new pg.Pool({ connectionString: testUrl, max: 8 });
  afterAll(() => pool.end());
  const logger = silentLogger;

  it('creates the schema and applies every migration once, even when many start at once', async () => {
    const schema = schemas.next();
    const runs = await Promise.all(Array.from({ length: 6 }, () => migrate(pool, schema, { logger })));
    const all = bundledMigrations().map((migration) => migration.version);
    expect(runs.filter((done) => done.length > 0)).toEqual([all]);
    expect(await migrate(pool, schema, { logger })).toEqual([]);
    const { rows } = await pool.query<{ version: number }>(
      `SELECT version FROM ${pg.escapeIdentifier(schema)}.parley_migrations ORDER BY version`,
    );
    expect(rows.map((row) => row.version)).toEqual(all);
  });

  it('applies only the new migrations of a later release, and keeps the data', async () => {
    const schema = schemas.next();
    const first: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x int); INSERT INTO a VALUES (1);' },
    ];
    expect(await migrate(pool, schema, { logger, migrations: first })).toEqual([1]);
    const later = [...first, { version: 2, name: 'two', sql: 'ALTER TABLE a ADD COLUMN y int DEFAULT 2;' }];
    expect(await migrate(pool, schema, { logger, migrations: later })).toEqual([2]);
    const { rows } = await pool.query(`SELECT x, y FROM ${pg.escapeIdentifier(schema)}.a`);
    expect(rows).toEqual([{ x: 1, y: 2 }]);
  });

  it('rolls a failing migration back entirely, schema included', async () => {
    const schema = schemas.next();
    const broken: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x int);' },
      { version: 2, name: 'two', sql: 'SELECT * FROM nowhere;' },
    ];
    await expect(migrate(pool, schema, { logger, migrations: broken })).rejects.toThrow(/nowhere/);
    const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(rows).toEqual([]);
  });

  it('refuses migration files with a gap in their numbers', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-migrations-'));
    try {
      fs.writeFileSync(path.join(dir, '0001_a.sql'), 'SELECT 1;');
      fs.writeFileSync(path.join(dir, '0003_c.sql'), 'SELECT 1;');
      expect(() => loadMigrations(pathToFileURL(`${dir}/`), 'the test')).toThrow(/without gaps/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
