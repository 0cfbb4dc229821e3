import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { InstanceSlot, InstanceSlots } from '@parley/core';

/** A process that holds more names than this for one service is surely leaking them. */
const MAX_SLOTS = 4096;

/**
 * Instance names held by SQLite file locks: name `<service>-<n>` is the file `<service>-<n>.lock` in the
 * directory `<database>.instances`, opened in exclusive locking mode. SQLite keeps that lock for as long as the
 * connection is open — against other connections of the same process too — and the operating system drops it
 * the moment the process dies, so a SIGKILLed process's name is free at once. The lock files stay in place (an
 * unlinked file could be locked by a racing claimer while a new one is created under the same name).
 */
export function createSqliteInstanceSlots(databaseFile: string): InstanceSlots {
  const directory = `${databaseFile}.instances`;
  return {
    claim(service) {
      if (!/^[A-Za-z0-9._-]+$/.test(service))
        return Promise.reject(
          new TypeError(`cannot name an instance slot after service ${JSON.stringify(service)}`),
        );
      fs.mkdirSync(directory, { recursive: true });
      for (let n = 0; n < MAX_SLOTS; n++) {
        const id = `${service}-${n}`;
        const held = tryLock(path.join(directory, `${id}.lock`));
        if (held !== undefined) return Promise.resolve(slot(id, held));
      }
      return Promise.reject(new Error(`every one of ${MAX_SLOTS} instance names of ${service} is taken`));
    },
  };
}

function tryLock(file: string): Database.Database | undefined {
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
}

function slot(id: string, db: Database.Database): InstanceSlot {
  return {
    id,
    release() {
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}
