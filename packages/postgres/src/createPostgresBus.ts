import { setMaxListeners } from 'node:events';
import { checkLimit } from '@parley/sql';
import {
  checkMaxBytes,
  defaultLogger,
  parseHeaderText,
  type Bus,
  type LogRecord,
  type Logger,
} from '@parley/core';
import { appendMessages } from './appendMessages.ts';
import { applyRetention, listRetention } from './applyRetention.ts';
import { openDatabase, type PostgresDatabase } from './openDatabase.ts';
import { listProgress, recordProgress } from './recordProgress.ts';
import { findCorrelated } from './findCorrelated.ts';
import { resolveTarget, type PostgresTarget } from './resolveTarget.ts';
import { TopicCatalog } from './TopicCatalog.ts';

/** A {@link Bus} kept in a PostgreSQL schema, which a store may share (see `createPostgresStore`'s `bus`). */
export interface PostgresBus extends Bus {
  /** The schema holding the topics. */
  readonly schema: string;
}

export interface PostgresBusOptions {
  /** Overrides the target's schema. @default 'parley' */
  readonly schema?: string;
  /** @default pino at level `warn`, on stderr (`defaultLogger()` of @parley/core) */
  readonly logger?: Logger;
  /**
   * Connections in the pool opened for the bus (unused when the target brings a pool). One of them listens for
   * notifications while someone waits.
   * @default 10
   */
  readonly poolSize?: number;
  /**
   * How long a call waits for a lost connection to come back (a server restart, a failover) before it fails, in
   * ms: meanwhile it is retried on new connections, so callers only wait. Only once the server has answered:
   * before that, an unreachable server fails calls at once. A commit whose COMMIT was cut off with no answer is
   * not retried: it fails with `COMMIT_OUTCOME_UNKNOWN`.
   * @default 60000
   */
  readonly reconnectTimeoutMs?: number;
  /**
   * Statements with parameters go as named prepared statements: each connection parses and plans them once.
   * Turn this off behind a pooler that moves a session's statements between connections (PgBouncer in
   * transaction mode before 1.21).
   * @default true
   */
  readonly prepareStatements?: boolean;
}

interface MessageRow {
  position: number;
  id: string;
  type: string;
  key: string;
  payload: string;
  headers: string;
  occurred_at: string;
}

const databases = new WeakMap<PostgresBus, PostgresDatabase>();

/** The database of a bus made by {@link createPostgresBus}, for a store deciding whether it shares it. */
export function databaseOf(bus: PostgresBus): PostgresDatabase | undefined {
  return databases.get(bus);
}

/**
 * Opens a bus in a PostgreSQL schema (created and migrated on first use). A publish is one transaction; within a
 * partition, positions become visible in publish order even with concurrent publishers (see `lockPositions`), so
 * a consumer reading "after its checkpoint" never skips a message.
 *
 * `waitForMessages` resolves — never rejects — on a publish to one of its topics (by this process at once, by
 * others through LISTEN/NOTIFY on the schema's channel), on timeout, on abort and on close. It registers before it
 * returns, so calling it before a read that comes back empty misses nothing.
 *
 * Retention: `applyRetention` removes what the policy allows but never a message above the lowest progress
 * recorded (`recordProgress`) by the topic's registered groups; held messages and the lagging group are reported
 * and the last outcome per partition is kept (`listRetention`).
 *
 * @example
 * const bus = createPostgresBus('postgres://app@db/app?schema=parley');
 * await bus.ensureTopic({ name: 'show-events', partitions: 8 });
 * const records = await bus.read('show-events', 0, 0, 100);
 */
export function createPostgresBus(target: PostgresTarget, options: PostgresBusOptions = {}): PostgresBus {
  const resolved = resolveTarget(target, options.schema);
  const logger = (options.logger ?? defaultLogger()).child({
    component: 'postgres-bus',
    database: resolved.description,
  });
  const database = openDatabase(resolved, {
    logger,
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.reconnectTimeoutMs === undefined ? {} : { reconnectTimeoutMs: options.reconnectTimeoutMs }),
    ...(options.prepareStatements === undefined ? {} : { prepareStatements: options.prepareStatements }),
  });
  const { s, run, changes } = database;
  const catalog = new TopicCatalog(s, resolved.description);
  const closing = new AbortController();
  // Every waiter listens to it: as many as there are waits at once.
  setMaxListeners(0, closing.signal);

  const bus: PostgresBus = {
    description: resolved.description,
    schema: resolved.schema,

    ensureTopic: (topic) => run((db) => catalog.ensure(db, topic)),

    async publish(messages) {
      if (closing.signal.aborted) throw new Error(`bus ${resolved.description} is closed`);
      if (messages.length === 0) return;
      const signals = await database.transaction(async (client) => {
        const topics = await appendMessages(client, { name: database.schema, s }, catalog, messages);
        return [...topics].map((topic) => `topic:${topic}` as const);
      });
      changes.notify(signals);
    },

    read: (topic, partition, after, limit, maxBytes = Number.POSITIVE_INFINITY) =>
      run(async (db) => {
        checkLimit(limit, 'read');
        checkMaxBytes(maxBytes, 'read');
        // Without the topic and partition asked for: fewer columns to parse on the hottest query.
        const { rows } =
          maxBytes === Number.POSITIVE_INFINITY || limit <= 1
            ? await db.query<MessageRow>(
                `SELECT position, id, type, key, payload, headers, occurred_at FROM ${s}.messages
                 WHERE topic = $1 AND partition = $2 AND position > $3 ORDER BY position LIMIT $4`,
                [topic, partition, after, limit],
              )
            : // The running total of payload sizes picks the rows that fit; octet_length reads a stored value's
              // size without detoasting it, and rows left out are never sent.
              await db.query<MessageRow>(
                `SELECT position, id, type, key, payload, headers, occurred_at FROM (
                   SELECT position, id, type, key, payload, headers, occurred_at,
                          row_number() OVER w AS n, sum(octet_length(payload)) OVER w AS upto
                   FROM ${s}.messages WHERE topic = $1 AND partition = $2 AND position > $3
                   WINDOW w AS (ORDER BY position ROWS UNBOUNDED PRECEDING)
                   ORDER BY position LIMIT $4
                 ) m WHERE n = 1 OR upto <= $5 ORDER BY position`,
                [topic, partition, after, limit, maxBytes],
              );
        return rows.map((row) => toLogRecord(topic, partition, row));
      }),

    endPosition: (topic, partition) =>
      run(async (db) => {
        const { rows } = await db.query<{ position: number | null }>(
          `SELECT max(position) AS position FROM ${s}.messages WHERE topic = $1 AND partition = $2`,
          [topic, partition],
        );
        return rows[0]?.position ?? 0;
      }),

    countAfter: (topic, partition, after) =>
      run(async (db) => {
        const { rows } = await db.query<{ count: number }>(
          `SELECT count(*) AS count FROM ${s}.messages WHERE topic = $1 AND partition = $2 AND position > $3`,
          [topic, partition, after],
        );
        return rows[0]?.count ?? 0;
      }),

    findCorrelated: (correlationId, limit) => run((db) => findCorrelated(db, s, correlationId, limit)),

    listTopics: () =>
      run(async (db) => {
        const { rows } = await db.query<{ name: string; partitions: number }>(
          `SELECT name, partitions FROM ${s}.topics ORDER BY name`,
        );
        return rows;
      }),

    waitForMessages(topics, timeoutMs, signal) {
      const wanted = new Set(topics.map((topic) => `topic:${topic}`));
      return changes.wait((change) => wanted.has(change), timeoutMs, [signal, closing.signal]);
    },

    recordProgress: (topic, group, partition, position) =>
      run((db) => recordProgress(db, s, { topic, group, partition, position })),

    listProgress: (topic) => run((db) => listProgress(db, s, topic)),

    applyRetention: (topic, policy, now) => run((db) => applyRetention(db, s, catalog, topic, policy, now)),

    listRetention: (topic) => run((db) => listRetention(db, s, topic)),

    close() {
      closing.abort();
      databases.delete(bus);
      return database.close();
    },
  };
  databases.set(bus, database);
  return bus;
}

function toLogRecord(topic: string, partition: number, row: MessageRow): LogRecord {
  return {
    topic,
    partition,
    id: row.id,
    type: row.type,
    key: row.key,
    payload: row.payload,
    headers: parseHeaderText(row.headers),
    occurredAt: row.occurred_at,
    position: row.position,
  };
}
