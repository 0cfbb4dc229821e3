import { setMaxListeners } from 'node:events';
import {
  checkLimit,
  EVENT_COLUMNS,
  toStoredEvent,
  type EventRow,
  toOutboxRecord,
  type OutboxMessageRow,
} from '@parley/sql';
import fs from 'node:fs';
import {
  isEmptyChange,
  defaultLogger,
  type CommandRecord,
  type ConsumerState,
  type CursorPartition,
  type Logger,
  type Store,
  type StoredOutcome,
  type StoreChange,
} from '@parley/core';
import { asPromise } from './asPromise.ts';
import { connectionOf, type SqliteBus } from './createSqliteBus.ts';
import { createMessageLog } from './createMessageLog.ts';
import { createSqliteLeases } from './createSqliteLeases.ts';
import { createSqliteInstanceSlots } from './createSqliteInstanceSlots.ts';
import { openDatabase, type SqliteAccess, type SqliteConnection } from './openDatabase.ts';
import { parseSqliteUrl, type SqliteLocation } from './parseSqliteUrl.ts';
import { prepareCommit } from './prepareCommit.ts';
import { prepareDeadLetterReads } from './prepareDeadLetterReads.ts';
import { prepareFindDocuments } from './prepareFindDocuments.ts';
import { prepareOutboxReads } from './prepareOutboxReads.ts';
import { prepareOutboxUpdates } from './prepareOutboxUpdates.ts';
import { prepareParkedReads } from './prepareParkedReads.ts';
import { prepareSampleStatements } from './prepareSampleStatements.ts';
import { prepareTimerReads } from './prepareTimerReads.ts';

export interface SqliteStoreOptions {
  /**
   * The service's bus. When it is the same database file, the store shares its connection and `commit` writes
   * outgoing messages straight into the topic log, in the same transaction: no outbox, no relay delay.
   * Otherwise it is ignored and outgoing messages wait in the outbox.
   * @default undefined
   */
  readonly bus?: SqliteBus;
  /** @default pino at level `warn`, on stderr (`defaultLogger()` of @parley/core) */
  readonly logger?: Logger;
  /**
   * How long a write waits for another process's write lock before failing with `SQLITE_BUSY`.
   * Unused when the store shares the bus's connection.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * `existing` and `readOnly` (for operator tools) open only an existing Parley database; `readOnly` never
   * writes to the file, and commits fail. See {@link SqliteAccess}. Unused when the store shares the bus's
   * connection.
   * @default 'create'
   */
  readonly access?: SqliteAccess;
}

interface ConsumerStateRow {
  consumer: string;
  paused: number;
  reason: string | null;
  updated_at: string;
}

/** The table whose change signals each kind of store change. */
const TABLE_OF = {
  events: 'events',
  outbox: 'outbox',
  timers: 'timers',
  deadLetters: 'dead_letters',
  consumerStates: 'consumer_states',
} as const satisfies Record<StoreChange, string>;

/**
 * Opens (creating and migrating if needed) a store in a SQLite file. Each commit is one `BEGIN IMMEDIATE`
 * transaction, so several processes may share the file. `waitForChange` resolves — never rejects — when events,
 * outbox messages, timers, dead letters with an action or consumer states are committed (here at once, by other
 * processes within a poll of 2 to 50 ms), on timeout, on abort and on close; it registers before it returns.
 * Checkpoint, read-model and parked-queue writes alone wake no one.
 *
 * @example
 * const bus = createSqliteBus('sqlite:./data/app.db');
 * const store = createSqliteStore('sqlite:./data/app.db', { bus }); // outgoing messages go straight to the log
 */
export function createSqliteStore(url: string, options: SqliteStoreOptions = {}): Store {
  const location = parseSqliteUrl(url);
  const logger = (options.logger ?? defaultLogger()).child({
    component: 'sqlite-store',
    database: location.description,
  });
  const { connection, direct } = connect(location, options, logger);
  if (options.bus !== undefined && !direct) {
    logger.debug(
      { bus: options.bus.description },
      'the bus is another database: outgoing messages go to the outbox',
    );
  }
  const { db, changes } = connection;
  const commit = prepareCommit(db, direct ? createMessageLog(db, location.description) : undefined);
  const findDocuments = prepareFindDocuments(db);
  const deadLetters = prepareDeadLetterReads(db);
  const parked = prepareParkedReads(db);
  const timers = prepareTimerReads(db);
  const outboxReads = prepareOutboxReads(db);
  const outboxUpdates = prepareOutboxUpdates(db);
  const samples = prepareSampleStatements(db);

  const selectStream = db.prepare<[string, string, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE entity = ? AND entity_id = ? AND version > ? ORDER BY version`,
  );
  const selectEvents = db.prepare<[string, number, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE entity = ? AND position > ? ORDER BY position LIMIT ?`,
  );
  const countEvents = db
    .prepare<[string, number], number>('SELECT count(*) FROM events WHERE entity = ? AND position > ?')
    .pluck();
  const selectLastPosition = db
    .prepare<[string], number | null>('SELECT max(position) FROM events WHERE entity = ?')
    .pluck();
  const selectCommand = db.prepare<[string], { entity: string; entity_id: string; outcome: string }>(
    'SELECT entity, entity_id, outcome FROM commands WHERE command_id = ?',
  );
  const selectCheckpoints = db.prepare<[string, string], Omit<CursorPartition, 'doneAbove'>>(
    'SELECT partition, position, version FROM checkpoints WHERE consumer = ? AND source = ? ORDER BY partition',
  );
  const selectCursors = db.prepare<
    [],
    { consumer: string; source: string; partition: number; position: number }
  >('SELECT consumer, source, partition, position FROM checkpoints ORDER BY consumer, source, partition');
  const selectDone = db.prepare<[string, string], { partition: number; position: number }>(
    'SELECT partition, position FROM consumer_done WHERE consumer = ? AND source = ? ORDER BY partition, position',
  );
  const selectDocument = db
    .prepare<[string, string], string>('SELECT doc FROM documents WHERE model = ? AND id = ?')
    .pluck();
  const selectOutbox = db.prepare<[number], OutboxMessageRow>(
    `SELECT seq, topic, partition, id, type, key, payload, headers, occurred_at FROM outbox
     WHERE status = 'pending' ORDER BY seq LIMIT ?`,
  );
  const deleteOutbox = db.prepare<[string]>(
    'DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))',
  );
  const selectConsumerStates = db.prepare<[], ConsumerStateRow>(
    'SELECT consumer, paused, reason, updated_at FROM consumer_states ORDER BY consumer',
  );
  const closing = new AbortController();
  // Every waiter listens to it: as many as there are waits at once.
  setMaxListeners(0, closing.signal);

  /** Runs a call on the open connection; after `close`, rejects. */
  function call<T>(work: () => T): Promise<T> {
    return asPromise(() => {
      if (closing.signal.aborted) throw new Error(`store ${location.description} is closed`);
      return work();
    });
  }

  return {
    description: location.description,

    leases: createSqliteLeases(db, call),
    ...(location.memory ? {} : { instanceSlots: createSqliteInstanceSlots(location.filename) }),

    readStream: (entity, entityId, afterVersion) =>
      call(() => selectStream.all(entity, entityId, afterVersion).map(toStoredEvent)),

    readEvents: (entity, after, limit) =>
      call(() => selectEvents.all(entity, after, checkLimit(limit, 'readEvents')).map(toStoredEvent)),

    lastEventPosition: (entity) => call(() => selectLastPosition.get(entity) ?? 0),

    findCommand: (commandId) =>
      call((): CommandRecord | undefined => {
        const row = selectCommand.get(commandId);
        if (row === undefined) return undefined;
        return {
          commandId,
          entity: row.entity,
          entityId: row.entity_id,
          outcome: JSON.parse(row.outcome) as StoredOutcome,
        };
      }),

    loadCursor: (consumer, source) =>
      call(() => {
        const done = new Map<number, number[]>();
        for (const { partition, position } of selectDone.all(consumer, source)) {
          const positions = done.get(partition);
          if (positions === undefined) done.set(partition, [position]);
          else positions.push(position);
        }
        return selectCheckpoints
          .all(consumer, source)
          .map((row): CursorPartition => ({ ...row, doneAbove: done.get(row.partition) ?? [] }));
      }),

    getDocument: (model, id) =>
      call(() => {
        const doc = selectDocument.get(model, id);
        return doc === undefined ? undefined : (JSON.parse(doc) as unknown);
      }),

    findDocuments: (model, query) => call(() => findDocuments(model, query)),

    commit: (change) =>
      call(() => {
        if (isEmptyChange(change)) return;
        changes.notify(commit(change));
      }),

    // Served from the table even in direct mode, where it stays empty, so rows left by an earlier run that
    // used a separate bus still reach the relay.
    fetchOutbox: (limit) =>
      call(() => selectOutbox.all(checkLimit(limit, 'fetchOutbox')).map(toOutboxRecord)),

    markSent: (seqs) =>
      call(() => {
        if (seqs.length > 0) deleteOutbox.run(JSON.stringify(seqs));
      }),

    setAsideOutbox: (failures, at) => call(() => outboxUpdates.setAside(failures, at)),

    listOutbox: (filter) => call(() => outboxReads.list(filter)),

    getOutbox: (seq) => call(() => outboxReads.get(seq)),

    discardOutbox: (seq, by, at) => call(() => outboxUpdates.discard(seq, by, at)),

    retryOutbox: (seq, by, at) =>
      call(() => {
        const entry = outboxUpdates.retry(seq, by, at);
        // Back in the queue: wake this process's relay (others poll the table within a second).
        if (entry !== undefined) changes.notify([{ table: 'outbox' }]);
        return entry;
      }),

    waitForChange: (timeoutMs, signal, on) => {
      const tables = on === undefined ? undefined : new Set(on.map((kind) => TABLE_OF[kind]));
      return changes.wait(
        (change) => change.table !== 'messages' && (tables === undefined || tables.has(change.table)),
        timeoutMs,
        [signal, closing.signal],
      );
    },

    listCursors: () => call(() => selectCursors.all()),

    countEventsAfter: (entity, after) => call(() => countEvents.get(entity, after) ?? 0),

    loadParkedKeys: (consumer, source) => call(() => parked.keys(consumer, source)),

    readParked: (consumer, source, key, after, limit, maxBytes) =>
      call(() => parked.read(consumer, source, key, after, limit, maxBytes)),

    dueDeadLetters: (consumer, source, now, limit) =>
      call(() => deadLetters.due(consumer, source, now, limit)),

    nextDeadLetterDue: (consumer, source) => call(() => deadLetters.next(consumer, source)),

    listDeadLetters: (filter) => call(() => deadLetters.list(filter)),

    getDeadLetter: (id) => call(() => deadLetters.get(id)),

    dueTimers: (now, limit) => call(() => timers.due(now, limit)),

    nextTimerDue: () => call(() => timers.next()),

    listConsumerStates: () => call(() => selectConsumerStates.all().map(toConsumerState)),

    recordSamples: (written, pruneBefore) => call(() => samples.record(written, pruneBefore)),

    listSamples: (filter) => call(() => samples.list(filter)),

    close() {
      if (closing.signal.aborted) return Promise.resolve();
      closing.abort();
      return connection.release();
    },
  };
}

/** The bus's connection when the bus is this very file; otherwise a connection of the store's own. */
function connect(
  location: SqliteLocation,
  options: SqliteStoreOptions,
  logger: Logger,
): { connection: SqliteConnection; direct: boolean } {
  if (options.bus !== undefined) {
    const shared = connectionOf(options.bus);
    if (shared === undefined) throw new Error(`store ${location.description}: the bus given is closed`);
    // Two `:memory:` URLs are two databases, so a memory store never shares.
    if (!location.memory && !shared.location.memory && realPath(location.filename) === shared.filename) {
      shared.retain();
      return { connection: shared, direct: true };
    }
  }
  const connection = openDatabase(location, {
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    logger,
    ...(options.access === undefined ? {} : { access: options.access }),
  });
  return { connection, direct: false };
}

function realPath(filename: string): string {
  try {
    return fs.realpathSync(filename);
  } catch {
    return filename;
  }
}

function toConsumerState(row: ConsumerStateRow): ConsumerState {
  return {
    consumer: row.consumer,
    paused: row.paused !== 0,
    reason: row.reason,
    updatedAt: row.updated_at,
  };
}
