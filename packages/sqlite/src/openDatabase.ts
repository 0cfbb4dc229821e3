import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '@parley/core';
import { createChangeNotifier, type ChangeNotifier, type ChangeSignal } from './changeNotifier.ts';
import { bundledMigrations, migrate } from './migrate.ts';
import { startCheckpointer } from './startCheckpointer.ts';
import { parseSqliteUrl, type SqliteLocation } from './parseSqliteUrl.ts';

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
  /** @default 'create' */
  readonly access?: SqliteAccess;
}

/**
 * How a database is opened.
 * - `create`: the file (and its directory) is created when missing, and the schema brought up to date. What a
 *   service does.
 * - `existing`: the file must already be a Parley database (not `:memory:`, not empty, not some other
 *   database); its schema is brought up to date. For operator tools, which must not make a file of a typo.
 * - `readOnly`: like `existing`, but nothing is ever written to the file or next to it, and its schema must be
 *   current; commits fail. For a file this user may only read.
 */
export type SqliteAccess = 'create' | 'existing' | 'readOnly';

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
 * loss), creates the parent directory, and brings the schema up to date. With `access` other than `create`,
 * refuses — with an error that says what the file is — anything but an existing Parley database.
 */
export function openDatabase(location: SqliteLocation, options: OpenDatabaseOptions): SqliteConnection {
  const access = options.access ?? 'create';
  if (access !== 'create') mustBeFile(location);
  else if (!location.memory) fs.mkdirSync(path.dirname(location.filename), { recursive: true });
  const { db, snapshot } =
    access === 'readOnly'
      ? openReadOnly(location.filename, options.busyTimeoutMs)
      : {
          db: new Database(location.filename, {
            timeout: options.busyTimeoutMs,
            fileMustExist: access === 'existing',
          }),
          snapshot: false,
        };
  try {
    if (access !== 'create') mustBeParley(db, location, { current: access === 'readOnly' });
    if (access !== 'readOnly') {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // A file's WAL is checkpointed on a worker thread (startCheckpointer), so no commit stalls the event loop
      // copying pages back; the connection's own automatic checkpoint stays as a backstop.
      db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
      migrate(db, { logger: options.logger });
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const changes = createChangeNotifier({
    ...(location.memory || snapshot ? {} : { detect: commitsByOthers(db) }),
    logger: options.logger,
  });
  const filename = location.memory ? ':memory:' : fs.realpathSync(location.filename);
  const checkpointer =
    location.memory || access === 'readOnly' ? undefined : startCheckpointer(filename, options.logger);
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

/** What an operator tool needs to know of a database file before it opens it. */
export interface SqliteDatabaseInfo {
  /** The real path of the file. */
  readonly filename: string;
  /**
   * False when this user may not write the file or create files beside it (SQLite's `-wal` and `-shm`): open it
   * with `access: 'readOnly'`.
   */
  readonly writable: boolean;
  /**
   * Whether it holds any of a service's state: events, commands, read-model documents, checkpoints, outbox
   * messages, parked messages, dead letters, timers or consumer states. A file that holds topics and none of
   * these is a bus, not a service's store.
   */
  readonly serviceState: boolean;
  /** Names of the topics whose message log it keeps. */
  readonly topics: ReadonlyArray<string>;
}

/** The tables a service's store writes (a bus file has them too, empty). */
const SERVICE_TABLES = [
  'events',
  'commands',
  'documents',
  'checkpoints',
  'outbox',
  'parked',
  'dead_letters',
  'timers',
  'consumer_states',
] as const;

/**
 * Looks into an existing Parley database without changing it, so that an operator tool can tell a store from a
 * bus and knows whether it may write. Throws, saying what the file is instead, for a missing file, a directory,
 * `:memory:`, an empty file, a file that is not SQLite and a SQLite database that is not Parley's.
 *
 * @example
 * const info = inspectSqliteDatabase('sqlite:./data/app.db');
 * if (!info.serviceState && info.topics.length > 0) console.log('a bus, not a store');
 */
export function inspectSqliteDatabase(url: string): SqliteDatabaseInfo {
  const location = parseSqliteUrl(url);
  mustBeFile(location);
  const writable = canWrite(location.filename);
  const { db } = writable
    ? { db: new Database(location.filename, { fileMustExist: true }) }
    : openReadOnly(location.filename, 5000);
  try {
    const tables = mustBeParley(db, location, { current: false });
    const has = (table: string) =>
      tables.includes(table) && db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined;
    return {
      filename: fs.realpathSync(location.filename),
      writable,
      serviceState: SERVICE_TABLES.some(has),
      topics: tables.includes('topics')
        ? db.prepare<[], string>('SELECT name FROM topics ORDER BY name').pluck().all()
        : [],
    };
  } finally {
    db.close();
  }
}

/** Whether this user may write the file and create SQLite's `-wal` and `-shm` files beside it. */
function canWrite(filename: string): boolean {
  try {
    fs.accessSync(filename, fs.constants.W_OK);
    fs.accessSync(path.dirname(filename), fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Throws unless `location` names an existing, non-empty file. */
function mustBeFile(location: SqliteLocation): void {
  const name = location.description;
  if (location.memory) {
    throw new Error(
      `${name} is an in-memory database: it starts empty every time it is opened, so it holds no Parley store ` +
        'or bus. Give the database file the service uses',
    );
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location.filename);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`no database at ${location.filename} (from ${name}): nothing was created there`);
    }
    throw error;
  }
  if (stat.isDirectory())
    throw new Error(`${name} is a directory, not a database file (${location.filename})`);
  if (stat.size === 0) {
    throw new Error(
      `${name} is an empty file, not a Parley database (${location.filename}); it was left as it is`,
    );
  }
}

/**
 * Throws unless `db` is a Parley database (and, with `current`, at this Parley's schema version, since it cannot
 * be migrated). Returns its table names.
 */
function mustBeParley(
  db: Database.Database,
  location: SqliteLocation,
  options: { readonly current: boolean },
): string[] {
  const name = `${location.description} (${location.filename})`;
  let tables: string[];
  try {
    tables = db
      .prepare<[], string>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' ORDER BY name",
      )
      .pluck()
      .all();
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new Error(`${name} is not a SQLite database: is it the right file?`, { cause: error });
    }
    throw error;
  }
  if (!tables.includes('parley_migrations')) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    throw new Error(
      tables.length === 0
        ? `${name} is an empty SQLite database, not a Parley store or bus`
        : `${name} is a SQLite database but not Parley's (its tables: ${shown})`,
    );
  }
  if (options.current) {
    const version =
      db.prepare<[], number | null>('SELECT max(version) FROM parley_migrations').pluck().get() ?? 0;
    const wanted = bundledMigrations().length;
    if (version < wanted) {
      throw new Error(
        `${name} has schema version ${version} and this Parley reads version ${wanted}; it may only be read, so ` +
          'it cannot be migrated: start the service on it once, or run this as a user who may write it',
      );
    }
  }
  return tables;
}

/**
 * Opens a file read-only, writing nothing to it or next to it. When its `-wal` exists (a writer has it open, or
 * one crashed), SQLite reads it in place with the `-wal` and `-shm` there. Otherwise the file alone is the whole
 * database, but opening it in place would create `-wal` and `-shm` files beside it, owned by this user — which
 * can lock the owner out — or fail in a directory this user may not write. So it is read into memory instead,
 * and read again if it changed meanwhile (a writer's checkpoint).
 */
function openReadOnly(filename: string, timeout: number): { db: Database.Database; snapshot: boolean } {
  for (let attempt = 1; ; attempt++) {
    if (fs.existsSync(`${filename}-wal`)) {
      return {
        db: new Database(filename, { readonly: true, fileMustExist: true, timeout }),
        snapshot: false,
      };
    }
    const before = fs.statSync(filename);
    const image = fs.readFileSync(filename);
    const after = fs.statSync(filename);
    const unchanged =
      before.size === after.size && before.mtimeMs === after.mtimeMs && image.length === after.size;
    if (unchanged) {
      // Bytes 18 and 19 of the header say "WAL mode" (2); an in-memory image can only be read in rollback mode (1).
      if (image.length >= 100 && image[18] === 2 && image[19] === 2) image[18] = image[19] = 1;
      return { db: new Database(image, { readonly: true }), snapshot: true };
    }
    if (attempt >= 3) {
      throw new Error(`${filename} kept changing while it was being read; try again`);
    }
  }
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
