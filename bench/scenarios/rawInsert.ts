import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { POSTGRES_URL } from '../backends.ts';
import { benchPayload } from '../payload.ts';
import { round } from '../percentiles.ts';

/** Rows per second for batched multi-row inserts of the same payloads straight through the driver. */
export interface RawInsertResult {
  engine: 'sqlite' | 'postgres';
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

const BATCH = 500;

/** The physical limit on this machine: batched inserts in transactions of 500 rows, WAL, as Parley opens SQLite. */
export async function rawInsertSqlite(rows: number): Promise<RawInsertResult> {
  const Database = (await import('better-sqlite3')).default;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-raw-'));
  const db = new Database(path.join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 10000'); // as packages/sqlite/src/openDatabase.ts
    db.exec(
      'CREATE TABLE rows (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, key TEXT NOT NULL, payload TEXT NOT NULL)',
    );
    const insert = db.prepare('INSERT INTO rows (id, key, payload) VALUES (?, ?, ?)');
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) insert.run(`m-${i}`, `k-${i % 1000}`, JSON.stringify(benchPayload(i)));
    });
    const started = performance.now();
    for (let i = 0; i < rows; i += BATCH) batch(i, Math.min(rows, i + BATCH));
    const seconds = (performance.now() - started) / 1000;
    return { engine: 'sqlite', rows, seconds: round(seconds, 3), rowsPerSecond: Math.round(rows / seconds) };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The same on PostgreSQL: one multi-row INSERT (unnest) per 500 rows, each its own transaction. */
export async function rawInsertPostgres(rows: number): Promise<RawInsertResult> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const table = `bench_raw_${Date.now().toString(36)}`;
  try {
    await client.query(
      `CREATE TABLE ${table} (position BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, key TEXT NOT NULL, payload TEXT NOT NULL)`,
    );
    const started = performance.now();
    for (let i = 0; i < rows; i += BATCH) {
      const ids: string[] = [];
      const keys: string[] = [];
      const payloads: string[] = [];
      for (let j = i; j < Math.min(rows, i + BATCH); j++) {
        ids.push(`m-${j}`);
        keys.push(`k-${j % 1000}`);
        payloads.push(JSON.stringify(benchPayload(j)));
      }
      await client.query(
        `INSERT INTO ${table} (id, key, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
        [ids, keys, payloads],
      );
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      engine: 'postgres',
      rows,
      seconds: round(seconds, 3),
      rowsPerSecond: Math.round(rows / seconds),
    };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.end();
  }
}
