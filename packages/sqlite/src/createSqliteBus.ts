import { defaultLogger, type Bus, type Logger, type OutgoingMessage } from '@parley/core';
import { asPromise } from './asPromise.ts';
import { createMessageLog } from './createMessageLog.ts';
import { prepareCorrelatedReads } from './prepareCorrelatedReads.ts';
import { createRetention } from './createRetention.ts';
import { createSqliteLeases } from './createSqliteLeases.ts';
import { openDatabase, type SqliteAccess, type SqliteConnection } from './openDatabase.ts';
import { parseSqliteUrl } from './parseSqliteUrl.ts';

/** A {@link Bus} kept in a SQLite file, which a store may share (see `createSqliteStore`'s `bus` option). */
export interface SqliteBus extends Bus {
  /** The real path of the database file, or `:memory:`. */
  readonly filename: string;
}

export interface SqliteBusOptions {
  /** @default pino at level `warn`, on stderr (`defaultLogger()` of @parley/core) */
  readonly logger?: Logger;
  /**
   * How long a write waits for another process's write lock before failing with `SQLITE_BUSY`.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * `existing` and `readOnly` (for operator tools) open only an existing Parley database; `readOnly` never
   * writes to the file, and commits fail. See {@link SqliteAccess}.
   * @default 'create'
   */
  readonly access?: SqliteAccess;
}

const connections = new WeakMap<SqliteBus, SqliteConnection>();

/** The open connection of a bus made by {@link createSqliteBus}, for a store that shares it. */
export function connectionOf(bus: SqliteBus): SqliteConnection | undefined {
  return connections.get(bus);
}

/**
 * Opens (creating and migrating if needed) a bus in a SQLite file. Several processes on one machine may open the
 * same file: writes are serialised by SQLite, and waiters notice other processes' publishes by polling
 * `PRAGMA data_version` (every 2 ms after a change, backing off to 50 ms while idle).
 *
 * `waitForMessages` resolves — never rejects — on a publish to one of its topics, on timeout, on abort and on
 * close. It registers before it returns, so calling it before a read that comes back empty misses nothing.
 *
 * @example
 * const bus = createSqliteBus('sqlite:./data/bus.db');
 * await bus.ensureTopic({ name: 'show-events', partitions: 8 });
 * const records = await bus.read('show-events', 0, 0, 100);
 */
export function createSqliteBus(url: string, options: SqliteBusOptions = {}): SqliteBus {
  const location = parseSqliteUrl(url);
  const logger = (options.logger ?? defaultLogger()).child({
    component: 'sqlite-bus',
    database: location.description,
  });
  const connection = openDatabase(location, {
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    logger,
    ...(options.access === undefined ? {} : { access: options.access }),
  });
  const { db, changes } = connection;
  const log = createMessageLog(db, location.description);
  const retention = createRetention(db);
  const correlated = prepareCorrelatedReads(db);
  const publishAll = db.transaction((messages: ReadonlyArray<OutgoingMessage>) => log.append(messages));
  const closing = new AbortController();

  /** Runs a call on the open connection; after `close`, rejects. */
  function call<T>(work: () => T): Promise<T> {
    return asPromise(() => {
      if (closing.signal.aborted) throw new Error(`bus ${location.description} is closed`);
      return work();
    });
  }

  const bus: SqliteBus = {
    description: location.description,
    filename: connection.filename,

    ensureTopic: (topic) => call(() => log.ensureTopic(topic)),

    publish: (messages) =>
      call(() => {
        if (messages.length === 0) return;
        const topics = publishAll.immediate(messages);
        changes.notify([...topics].map((topic) => ({ table: 'messages', topic })));
      }),

    read: (topic, partition, after, limit, maxBytes) =>
      call(() => log.read(topic, partition, after, limit, maxBytes)),

    endPosition: (topic, partition) => call(() => log.endPosition(topic, partition)),

    countAfter: (topic, partition, after) => call(() => log.countAfter(topic, partition, after)),

    findCorrelated: (correlationId, limit) => call(() => correlated(correlationId, limit)),

    listTopics: () => call(() => log.listTopics()),

    recordProgress: (topic, group, partition, position) =>
      call(() => retention.recordProgress(topic, group, partition, position, new Date().toISOString())),

    listProgress: (topic) => call(() => retention.listProgress(topic)),

    applyRetention: (topic, policy, now) =>
      call(() => {
        const spec = log.listTopics().find((t) => t.name === topic);
        if (spec === undefined) throw new Error(`topic ${topic} does not exist on ${location.description}`);
        return retention.apply(topic, spec.partitions, policy, now);
      }),

    listRetention: (topic) => call(() => retention.list(topic)),

    leases: createSqliteLeases(db, call),

    waitForMessages(topics, timeoutMs, signal) {
      const wanted = new Set(topics);
      return changes.wait(
        (change) => change.table === 'messages' && (change.topic === undefined || wanted.has(change.topic)),
        timeoutMs,
        [signal, closing.signal],
      );
    },

    close() {
      if (closing.signal.aborted) return Promise.resolve();
      closing.abort();
      connections.delete(bus);
      return connection.release();
    },
  };
  connections.set(bus, connection);
  return bus;
}
