import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '@parley/core';
import { createChangeNotifier, type ChangeNotifier, type ChangeSignal } from './changeNotifier.ts';
import { migrate } from './migrate.ts';
import { startCheckpointer } from './startCheckpointer.ts';
import type { SqliteLocation } from './parseSqliteUrl.ts';

/** An open, migrated database, shared by the store and the bus that use it. */
export interface SqliteConnection {
  readonly db: Database.Database;
  readonly location: SqliteLocation;
  /** The real path of the file (symbolic links resolved), or `:memory:`. */
  readonly filename: string;
  readonly changes: ChangeNotifier;
  /** Adds a user: the connection stays open until every user has released it. */
  retain(): void;
  /**
   * Removes a user; the last one stops the file's checkpoint thread (when no other connection of this process
   * uses it) and then closes the connection, so the files are left as SQLite leaves them after its last close.
   */
  release(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** How long a write waits for another connection's write lock before failing with `SQLITE_BUSY`. */
  readonly busyTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * Pages of WAL (about 40 MiB) after which a commit itself copies them back into the database file: a backstop
 * for when the checkpoint thread falls behind.
 */
const BACKSTOP_CHECKPOINT_PAGES = 10_000;

/**
 * What another connection's commit may have changed, as far as waiters care: the AUTOINCREMENT counters of
 * `events`, `outbox` and `messages`, and the `change_counters` that commits bump for the other tables.
 */
const WATCHED_TABLES = ['events', 'outbox', 'messages', 'timers', 'dead_letters', 'consumer_states'] as const;

/**
 * Opens `location` with the settings several processes need to share one file (WAL, a busy timeout, and
 * `synchronous=NORMAL`, which is durable across process crashes and loses at most the last commits on power
 * loss), creates the parent directory, and brings the schema up to date.
 */
export function openDatabase(location: SqliteLocation, options: OpenDatabaseOptions): SqliteConnection {
  if (!location.memory) fs.mkdirSync(path.dirname(location.filename), { recursive: true });
  const db = new Database(location.filename, { timeout: options.busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // A file's WAL is checkpointed on a worker thread (startCheckpointer), so no commit stalls the event loop
    // copying pages back; the connection's own automatic checkpoint stays as a backstop.
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    migrate(db, { logger: options.logger });
  } catch (error) {
    db.close();
    throw error;
  }
  const changes = createChangeNotifier({
    ...(location.memory ? {} : { detect: commitsByOthers(db) }),
    logger: options.logger,
  });
  const filename = location.memory ? ':memory:' : fs.realpathSync(location.filename);
  const checkpointer = location.memory ? undefined : startCheckpointer(filename, options.logger);
  let users = 1;
  options.logger.debug({ database: location.description }, 'opened database');
  return {
    db,
    location,
    filename,
    changes,
    retain() {
      if (users === 0) throw new Error(`${location.description} is closed`);
      users += 1;
    },
    async release() {
      if (users === 0) return;
      users -= 1;
      if (users > 0) return;
      changes.close();
      try {
        await checkpointer?.stop();
      } finally {
        db.close();
        options.logger.debug({ database: location.description }, 'closed database');
      }
    },
  };
}

/**
 * Cheap detection of other connections' commits: `PRAGMA data_version` changes only when another connection
 * committed. Then the AUTOINCREMENT counters tell whether it appended events, outbox or log messages, and the
 * change counters whether it wrote timers, due dead letters or consumer states, so checkpoint, read-model and
 * parked-queue writes do not wake anyone.
 */
function commitsByOthers(db: Database.Database): () => ChangeSignal[] {
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  const counters = db.prepare<[], { name: string; seq: number }>(
    'SELECT name, seq FROM sqlite_sequence UNION ALL SELECT name, value FROM change_counters',
  );
  const readCounters = (): Map<string, number> => new Map(counters.all().map((row) => [row.name, row.seq]));
  let version = dataVersion.get();
  let seen = readCounters();
  return () => {
    const now = dataVersion.get();
    if (now === version) return [];
    version = now;
    const latest = readCounters();
    const signals = WATCHED_TABLES.filter((table) => latest.get(table) !== seen.get(table)).map((table) => ({
      table,
    }));
    seen = latest;
    return signals;
  };
}
