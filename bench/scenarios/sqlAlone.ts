import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client, QueryResult, QueryResultRow } from 'pg';
import { POSTGRES_URL } from '../backends.ts';
import { benchOrders } from '../benchModel.ts';
import { benchPayload } from '../payload.ts';
import { round } from '../percentiles.ts';

/**
 * The end-to-end scenario's statements with no Parley code around them: the ceiling that the SQL itself puts on
 * the end-to-end rate of an engine, in the same schema (Parley's migrations), with the same payloads.
 */
export interface SqlAloneResult {
  engine: 'sqlite' | 'postgres';
  messages: number;
  seconds: number;
  messagesPerSecond: number;
}

const BATCH = 500;
const PARTITIONS = benchOrders.partitions;
const KEYS = 1000;

interface BenchMessage {
  id: string;
  partition: number;
  key: string;
  payload: string;
  occurredAt: string;
}

function message(i: number): BenchMessage {
  return {
    id: `01JBENCH${String(i).padStart(18, '0')}`,
    partition: i % PARTITIONS,
    key: `account-${i % KEYS}`,
    payload: JSON.stringify({ ...benchPayload(i), sentAt: Date.now() }),
    occurredAt: new Date().toISOString(),
  };
}

/** The event a handled message appends, as the bench's entity decides it. */
function eventData(payload: string): string {
  const { orderId, amount } = JSON.parse(payload) as { orderId: string; amount: number };
  return JSON.stringify({ orderId, amount });
}

/**
 * SQLite, one thread, as Parley runs it: publish a batch of 500 messages in one transaction; then read every
 * partition after its checkpoint and, in one transaction, check each message's stream version, append its event
 * and move the checkpoints. Repeated until every message is handled.
 */
export async function sqlAloneSqlite(messages: number): Promise<SqlAloneResult> {
  const { createSqliteBus } = await import('@parley/sqlite');
  const Database = (await import('better-sqlite3')).default;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-sql-'));
  const file = path.join(dir, 'bench.db');
  const bus = createSqliteBus(`sqlite:${file}`);
  await bus.ensureTopic(benchOrders);
  await bus.close();
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 10000'); // as packages/sqlite/src/openDatabase.ts
    const insertMessage = db.prepare(
      `INSERT INTO messages (topic, partition, id, type, key, payload, headers, occurred_at)
       VALUES (?, ?, ?, 'OrderPlaced', ?, ?, '{}', ?) ON CONFLICT (topic, id) DO NOTHING`,
    );
    const read = db
      .prepare<[string, number, number, number], [number, string, string, string, string]>(
        `SELECT position, id, key, payload, occurred_at FROM messages
         WHERE topic = ? AND partition = ? AND position > ? ORDER BY position LIMIT ?`,
      )
      .raw();
    const version = db
      .prepare<[string], number | null>(
        "SELECT max(version) FROM events WHERE entity = 'bench-account' AND entity_id = ?",
      )
      .pluck();
    const insertEvent = db.prepare(
      `INSERT INTO events (entity, entity_id, version, id, type, data, metadata, occurred_at)
       VALUES ('bench-account', ?, ?, ?, 'Recorded', ?, '{}', ?)`,
    );
    const checkpoint = db.prepare(
      `INSERT INTO checkpoints (consumer, source, partition, position, version) VALUES ('c', ?, ?, ?, 1)
       ON CONFLICT (consumer, source, partition) DO UPDATE SET position = excluded.position,
         version = checkpoints.version + 1`,
    );
    const publish = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const m = message(i);
        insertMessage.run(benchOrders.name, m.partition, m.id, m.key, m.payload, m.occurredAt);
      }
    });
    const after = new Array<number>(PARTITIONS).fill(0);
    const handle = db.transaction((): number => {
      let handled = 0;
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const rows = read.all(benchOrders.name, partition, after[partition]!, BATCH);
        for (const [position, id, key, payload, occurredAt] of rows) {
          const current = version.get(key) ?? 0;
          insertEvent.run(key, current + 1, `e${id}`, eventData(payload), occurredAt);
          after[partition] = position;
        }
        if (rows.length > 0) checkpoint.run(benchOrders.name, partition, after[partition]!);
        handled += rows.length;
      }
      return handled;
    });
    const started = performance.now();
    let handled = 0;
    for (let i = 0; i < messages; i += BATCH) {
      publish.immediate(i, Math.min(messages, i + BATCH));
      handled += handle.immediate();
    }
    while (handled < messages) handled += handle.immediate();
    return result('sqlite', messages, started);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * PostgreSQL, as Parley runs it: a publisher connection inserts batches of 500 (one JSON parameter, partition
 * locks taken first) while a consumer connection reads every partition after its checkpoint and, in one
 * transaction, takes the entity type's lock, checks the streams' versions in one statement, inserts the events
 * in one and moves the checkpoints in one.
 */
export async function sqlAlonePostgres(messages: number): Promise<SqlAloneResult> {
  const { createPostgresBus } = await import('@parley/postgres');
  const pg = (await import('pg')).default;
  const schema = `bench_sql_${Date.now().toString(36)}`;
  const s = `"${schema}"`;
  const bus = createPostgresBus({ connectionString: POSTGRES_URL, schema });
  await bus.ensureTopic(benchOrders);
  await bus.close();
  const publisher = new pg.Client({ connectionString: POSTGRES_URL });
  const consumer = new pg.Client({ connectionString: POSTGRES_URL });
  await publisher.connect();
  await consumer.connect();
  const partitionLocks = Array.from({ length: PARTITIONS }, (_, p) =>
    JSON.stringify([schema, 'messages', benchOrders.name, p]),
  );
  try {
    const started = performance.now();
    const publishing = (async () => {
      for (let i = 0; i < messages; i += BATCH) {
        const rows = [];
        for (let j = i; j < Math.min(messages, i + BATCH); j++) {
          const m = message(j);
          rows.push({
            topic: benchOrders.name,
            partition: m.partition,
            id: m.id,
            type: 'OrderPlaced',
            key: m.key,
            payload: m.payload,
            headers: '{}',
            occurred_at: m.occurredAt,
            occurred_ms: Date.parse(m.occurredAt),
          });
        }
        await send(publisher, 'BEGIN');
        await send(
          publisher,
          `SELECT pg_advisory_xact_lock(k) FROM (
             SELECT DISTINCT hashtextextended(name, 0) AS k FROM unnest($1::text[]) AS name ORDER BY k) AS keys`,
          [partitionLocks],
        );
        await send(
          publisher,
          `INSERT INTO ${s}.messages (topic, partition, id, type, key, payload, headers, occurred_at, occurred_ms)
           SELECT * FROM json_to_recordset($1::json) AS (topic text, partition int, id text, type text,
             key text, payload text, headers text, occurred_at text, occurred_ms int8)
           ON CONFLICT (topic, id) DO NOTHING`,
          [JSON.stringify(rows)],
        );
        await send(publisher, 'COMMIT');
      }
    })();
    const after = new Array<number>(PARTITIONS).fill(0);
    let handled = 0;
    while (handled < messages) {
      const read: Array<{ position: string; id: string; key: string; payload: string; occurred_at: string }> =
        [];
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const { rows } = await send<(typeof read)[number]>(
          consumer,
          `SELECT position, id, key, payload, occurred_at FROM ${s}.messages
           WHERE topic = $1 AND partition = $2 AND position > $3 ORDER BY position LIMIT $4`,
          [benchOrders.name, partition, after[partition], BATCH],
        );
        for (const row of rows) after[partition] = Number(row.position);
        read.push(...rows);
      }
      if (read.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      const keys = [...new Set(read.map((row) => row.key))];
      await send(consumer, 'BEGIN');
      await send(consumer, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        JSON.stringify([schema, 'events', 'bench-account']),
      ]);
      const { rows: versions } = await send<{ version: number }>(
        consumer,
        `SELECT coalesce((SELECT max(version) FROM ${s}.events e
           WHERE e.entity = 'bench-account' AND e.entity_id = t.id), 0) AS version
         FROM unnest($1::text[]) WITH ORDINALITY AS t(id, i) ORDER BY i`,
        [keys],
      );
      const next = new Map(keys.map((key, i) => [key, versions[i]!.version]));
      const events = read.map((row) => {
        const version = next.get(row.key)! + 1;
        next.set(row.key, version);
        return {
          entity_id: row.key,
          version,
          id: `e${row.id}`,
          data: eventData(row.payload),
          occurred_at: row.occurred_at,
        };
      });
      await send(
        consumer,
        `INSERT INTO ${s}.events (entity, entity_id, version, id, type, data, metadata, occurred_at)
         SELECT 'bench-account', entity_id, version, id, 'Recorded', data, '{}', occurred_at
         FROM json_to_recordset($1::json) AS (entity_id text, version int, id text, data text, occurred_at text)`,
        [JSON.stringify(events)],
      );
      await send(
        consumer,
        `INSERT INTO ${s}.checkpoints (consumer, source, partition, position, version)
         SELECT 'c', $1, p, pos, 1 FROM unnest($2::int[], $3::int8[]) AS t(p, pos)
         ON CONFLICT (consumer, source, partition) DO UPDATE SET position = excluded.position,
           version = ${s}.checkpoints.version + 1`,
        [benchOrders.name, after.map((_, p) => p), after],
      );
      await send(consumer, 'COMMIT');
      handled += read.length;
    }
    await publishing;
    return result('postgres', messages, started);
  } finally {
    await publisher.end();
    await send(consumer, `DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await consumer.end();
  }
}

/**
 * A statement as Parley sends it: with parameters, a named prepared statement (parsed and planned once per
 * connection, as `@parley/postgres` does by default).
 */
function send<R extends QueryResultRow = QueryResultRow>(
  client: Client,
  text: string,
  values?: unknown[],
): Promise<QueryResult<R>> {
  if (values === undefined) return client.query<R>(text);
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `s${statementNames.size}`));
  return client.query<R>({ name, text, values });
}
const statementNames = new Map<string, string>();

function result(engine: SqlAloneResult['engine'], messages: number, started: number): SqlAloneResult {
  const seconds = (performance.now() - started) / 1000;
  return { engine, messages, seconds: round(seconds, 3), messagesPerSecond: Math.round(messages / seconds) };
}
