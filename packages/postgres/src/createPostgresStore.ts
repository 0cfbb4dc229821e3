import { setMaxListeners } from 'node:events';
import {
  checkLimit,
  EVENT_COLUMNS,
  toStoredEvent,
  type EventRow,
  toOutboxRecord,
  type OutboxMessageRow,
} from '@parley/sql';
import {
  checkMaxBytes,
  isEmptyChange,
  defaultLogger,
  type CommandRecord,
  type ConsumerState,
  type CursorPartition,
  type Logger,
  type OutboxEntry,
  type OutgoingMessage,
  type ParkedMessage,
  type Store,
  type StoredOutcome,
  type StoreChange,
} from '@parley/core';
import type { ChangeSignal } from './changeNotifier.ts';
import { commitChange, type CommitTarget } from './commitChange.ts';
import { databaseOf, type PostgresBus } from './createPostgresBus.ts';
import { createLeaseStore } from './createLeaseStore.ts';
import { createInstanceSlots } from './createInstanceSlots.ts';
import { findDocuments } from './findDocuments.ts';
import { openDatabase } from './openDatabase.ts';
import { dueDeadLetters, getDeadLetter, listDeadLetters, nextDeadLetterDue } from './readDeadLetters.ts';
import { getOutbox, listOutbox } from './readOutbox.ts';
import { resolveTarget, type PostgresTarget } from './resolveTarget.ts';
import { resolveOutbox, setAsideOutbox } from './updateOutbox.ts';
import { StreamReads } from './StreamReads.ts';
import { listSamples, writeSamples } from './writeSamples.ts';
import { TopicCatalog } from './TopicCatalog.ts';

export interface PostgresStoreOptions {
  /**
   * The service's bus. When it is the same database and the same schema, `commit` writes outgoing messages
   * straight into the topic log, in the same transaction: no outbox, no relay delay. Otherwise outgoing
   * messages wait in the outbox for the relay.
   * @default undefined
   */
  readonly bus?: PostgresBus;
  /** Overrides the target's schema. @default 'parley' */
  readonly schema?: string;
  /** @default pino at level `warn`, on stderr (`defaultLogger()` of @parley/core) */
  readonly logger?: Logger;
  /**
   * Connections in the pool opened for the store (unused when the target brings a pool). One of them listens
   * for notifications while someone waits.
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

/** The notification that signals each kind of store change. */
const SIGNAL_OF = {
  events: 'events',
  outbox: 'outbox',
  timers: 'timers',
  deadLetters: 'deadletters',
  consumerStates: 'states',
} as const satisfies Record<StoreChange, ChangeSignal>;

/**
 * Opens a store in a PostgreSQL schema (created and migrated on first use). Each commit is one transaction that
 * sends one statement per kind of row; positions become visible in order per entity type and per partition
 * (see `lockPositions`). Connection failures surface as errors — the core retries — and the pool reconnects by
 * itself once the server is back.
 *
 * `waitForChange` resolves — never rejects — when events, outbox messages, timers, dead letters with an action or
 * consumer states are committed (by this process at once, by others through LISTEN/NOTIFY), on timeout, on abort
 * and on close. Checkpoint, read-model and parked-queue writes alone wake no one.
 *
 * @example
 * const bus = createPostgresBus('postgres://app@db/app');
 * const store = createPostgresStore('postgres://app@db/app', { bus }); // outgoing messages go straight to the log
 */
export function createPostgresStore(target: PostgresTarget, options: PostgresStoreOptions = {}): Store {
  const resolved = resolveTarget(target, options.schema);
  const logger = (options.logger ?? defaultLogger()).child({
    component: 'postgres-store',
    database: resolved.description,
  });
  const database = openDatabase(resolved, {
    logger,
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.reconnectTimeoutMs === undefined ? {} : { reconnectTimeoutMs: options.reconnectTimeoutMs }),
    ...(options.prepareStatements === undefined ? {} : { prepareStatements: options.prepareStatements }),
  });
  const { s, run, changes } = database;
  const instanceSlots = createInstanceSlots(database, logger);
  const streamReads = new StreamReads(run, s);
  const closing = new AbortController();
  // Every waiter listens to it: as many as there are waits at once.
  setMaxListeners(0, closing.signal);
  let commitTarget: Promise<CommitTarget> | undefined;

  /** Direct mode when the bus reads the same `instance` id, i.e. the same database and schema. */
  function resolveCommitTarget(): Promise<CommitTarget> {
    commitTarget ??= (async (): Promise<CommitTarget> => {
      const bus = options.bus === undefined ? undefined : databaseOf(options.bus);
      const direct =
        bus !== undefined &&
        bus.schema === database.schema &&
        (await bus.identity()) === (await database.identity());
      if (options.bus !== undefined && !direct) {
        logger.debug(
          { bus: options.bus.description },
          'the bus is another database or schema: outgoing messages go to the outbox',
        );
      }
      return {
        schema: database.schema,
        s,
        channel: database.channel,
        catalog: direct ? new TopicCatalog(s, resolved.description) : undefined,
      };
    })().catch((error: unknown) => {
      commitTarget = undefined;
      throw error;
    });
    return commitTarget;
  }

  return {
    description: resolved.description,

    readStream: async (entity, entityId, afterVersion) =>
      (await streamReads.read(entity, entityId, afterVersion)).map(toStoredEvent),

    readEvents: (entity, after, limit) =>
      run(async (db) => {
        const { rows } = await db.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM ${s}.events WHERE entity = $1 AND position > $2
           ORDER BY position LIMIT $3`,
          [entity, after, checkLimit(limit, 'readEvents')],
        );
        return rows.map(toStoredEvent);
      }),

    lastEventPosition: (entity) =>
      run(async (db) => {
        const { rows } = await db.query<{ position: number | null }>(
          `SELECT max(position) AS position FROM ${s}.events WHERE entity = $1`,
          [entity],
        );
        return rows[0]?.position ?? 0;
      }),

    findCommand: (commandId) =>
      run(async (db): Promise<CommandRecord | undefined> => {
        const { rows } = await db.query<{ entity: string; entity_id: string; outcome: string }>(
          `SELECT entity, entity_id, outcome FROM ${s}.commands WHERE command_id = $1`,
          [commandId],
        );
        const row = rows[0];
        if (row === undefined) return undefined;
        return {
          commandId,
          entity: row.entity,
          entityId: row.entity_id,
          outcome: JSON.parse(row.outcome) as StoredOutcome,
        };
      }),

    loadCursor: (consumer, source) =>
      run(async (db) => {
        const { rows } = await db.query<Omit<CursorPartition, 'doneAbove'> & { done: number[] | null }>(
          `SELECT c.partition, c.position, c.version,
             (SELECT array_agg(d.position ORDER BY d.position) FROM ${s}.consumer_done d
              WHERE d.consumer = c.consumer AND d.source = c.source AND d.partition = c.partition) AS done
           FROM ${s}.checkpoints c WHERE c.consumer = $1 AND c.source = $2 ORDER BY c.partition`,
          [consumer, source],
        );
        return rows.map(({ done, ...row }): CursorPartition => ({
          ...row,
          doneAbove: (done ?? []).map(Number),
        }));
      }),

    getDocument: (model, id) =>
      run(async (db) => {
        const { rows } = await db.query<{ doc: unknown }>(
          `SELECT doc FROM ${s}.documents WHERE model = $1 AND id = $2`,
          [model, id],
        );
        return rows[0]?.doc;
      }),

    findDocuments: (model, query) => run((db) => findDocuments(db, s, model, query)),

    async commit(change) {
      if (closing.signal.aborted) throw new Error(`store ${resolved.description} is closed`);
      if (isEmptyChange(change)) return;
      const target = await resolveCommitTarget();
      const signals = await database.transaction((client) => commitChange(client, target, change));
      changes.notify(signals);
    },

    // Served from the table even in direct mode, where it stays empty, so rows left by an earlier run that
    // used a separate bus still reach the relay.
    fetchOutbox: (limit) =>
      run(async (db) => {
        const { rows } = await db.query<OutboxMessageRow>(
          `SELECT seq, topic, partition, id, type, key, payload, headers, occurred_at FROM ${s}.outbox
           WHERE status = 'pending' ORDER BY seq LIMIT $1`,
          [checkLimit(limit, 'fetchOutbox')],
        );
        return rows.map(toOutboxRecord);
      }),

    markSent: (seqs) =>
      run(async (db) => {
        if (seqs.length > 0) await db.query(`DELETE FROM ${s}.outbox WHERE seq = ANY($1::int8[])`, [seqs]);
      }),

    setAsideOutbox: (failures, at) => run((db) => setAsideOutbox(db, s, failures, at)),

    listOutbox: (filter) => run((db) => listOutbox(db, s, filter)),

    getOutbox: (seq) => run((db) => getOutbox(db, s, seq)),

    discardOutbox: (seq, by, at) => run((db) => resolveOutbox(db, s, 'discarded', seq, by, at)),

    async retryOutbox(seq, by, at) {
      let entry: OutboxEntry | undefined;
      // Back in the queue: the commit notifies the relays, in this process and others.
      const signals = await database.transaction(async (client) => {
        entry = await resolveOutbox(client, s, 'pending', seq, by, at);
        return entry === undefined ? [] : ['outbox'];
      });
      changes.notify(signals);
      return entry;
    },

    waitForChange: (timeoutMs, signal, on) => {
      const wanted = on === undefined ? undefined : new Set<ChangeSignal>(on.map((kind) => SIGNAL_OF[kind]));
      return changes.wait(
        (change) => !change.startsWith('topic:') && (wanted === undefined || wanted.has(change)),
        timeoutMs,
        [signal, closing.signal],
      );
    },

    listCursors: () =>
      run(async (db) => {
        const { rows } = await db.query<{
          consumer: string;
          source: string;
          partition: number;
          position: number;
        }>(
          `SELECT consumer, source, partition, position FROM ${s}.checkpoints ORDER BY consumer, source, partition`,
        );
        return rows;
      }),

    countEventsAfter: (entity, after) =>
      run(async (db) => {
        const { rows } = await db.query<{ count: number }>(
          `SELECT count(*) AS count FROM ${s}.events WHERE entity = $1 AND position > $2`,
          [entity, after],
        );
        return rows[0]?.count ?? 0;
      }),

    loadParkedKeys: (consumer, source) =>
      run(async (db) => {
        const { rows } = await db.query<{ key: string; partition: number }>(
          `SELECT DISTINCT key, partition FROM ${s}.parked WHERE consumer = $1 AND source = $2
           ORDER BY key, partition`,
          [consumer, source],
        );
        return rows;
      }),

    readParked: (consumer, source, key, after, limit, maxBytes = Number.POSITIVE_INFINITY) =>
      run(async (db) => {
        checkLimit(limit, 'readParked');
        checkMaxBytes(maxBytes, 'readParked');
        const { rows } =
          maxBytes === Number.POSITIVE_INFINITY || limit <= 1
            ? await db.query<{ message: string }>(
                `SELECT message FROM ${s}.parked WHERE consumer = $1 AND source = $2 AND key = $3 AND position > $4
                 ORDER BY position LIMIT $5`,
                [consumer, source, key, after, limit],
              )
            : // As the bus reads topics: only the rows whose running total of sizes fits are sent.
              await db.query<{ message: string }>(
                `SELECT message FROM (
                   SELECT position, message, row_number() OVER w AS n, sum(octet_length(message)) OVER w AS upto
                   FROM ${s}.parked WHERE consumer = $1 AND source = $2 AND key = $3 AND position > $4
                   WINDOW w AS (ORDER BY position ROWS UNBOUNDED PRECEDING)
                   ORDER BY position LIMIT $5
                 ) m WHERE n = 1 OR upto <= $6 ORDER BY position`,
                [consumer, source, key, after, limit, maxBytes],
              );
        return rows.map((row) => JSON.parse(row.message) as ParkedMessage);
      }),

    dueDeadLetters: (consumer, source, now, limit) =>
      run((db) => dueDeadLetters(db, s, consumer, source, now, limit)),

    nextDeadLetterDue: (consumer, source) => run((db) => nextDeadLetterDue(db, s, consumer, source)),

    listDeadLetters: (filter) => run((db) => listDeadLetters(db, s, filter)),

    getDeadLetter: (id) => run((db) => getDeadLetter(db, s, id)),

    dueTimers: (now, limit) =>
      run(async (db) => {
        // due_at is whole ms, so `<= now` is `<= floor(now)`.
        const { rows } = await db.query<{ id: string; due_at: number; message: string }>(
          `SELECT id, due_at, message FROM ${s}.timers WHERE due_at <= $1 ORDER BY due_at, id LIMIT $2`,
          [Math.floor(now), checkLimit(limit, 'dueTimers')],
        );
        return rows.map((row) => ({
          id: row.id,
          dueAt: row.due_at,
          message: JSON.parse(row.message) as OutgoingMessage,
        }));
      }),

    nextTimerDue: () =>
      run(async (db) => {
        const { rows } = await db.query<{ due: number | null }>(`SELECT min(due_at) AS due FROM ${s}.timers`);
        return rows[0]?.due ?? undefined;
      }),

    listConsumerStates: () =>
      run(async (db) => {
        const { rows } = await db.query<{
          consumer: string;
          paused: boolean;
          reason: string | null;
          updated_at: string;
        }>(`SELECT consumer, paused, reason, updated_at FROM ${s}.consumer_states ORDER BY consumer`);
        return rows.map((row): ConsumerState => ({
          consumer: row.consumer,
          paused: row.paused,
          reason: row.reason,
          updatedAt: row.updated_at,
        }));
      }),

    recordSamples: (samples, pruneBefore) => run((db) => writeSamples(db, s, samples, pruneBefore)),

    listSamples: (filter) => run((db) => listSamples(db, s, filter)),

    leases: createLeaseStore(run, s),
    instanceSlots,

    async close() {
      closing.abort();
      // Held names would keep their connections checked out, and the pool would never end.
      await instanceSlots.releaseAll();
      await database.close();
    },
  };
}
