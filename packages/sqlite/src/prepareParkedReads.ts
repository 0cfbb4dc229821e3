import { checkLimit } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { ParkedMessage } from '@parley/core';

/** The parked-queue reads of `Store`, synchronous. */
export interface ParkedReads {
  keys(consumer: string, source: string): Array<{ key: string; partition: number }>;
  read(consumer: string, source: string, key: string, after: number, limit: number): ParkedMessage[];
}

/** Prepares the statements once for `db`. */
export function prepareParkedReads(db: Database.Database): ParkedReads {
  const selectKeys = db.prepare<[string, string], { key: string; partition: number }>(
    'SELECT DISTINCT key, partition FROM parked WHERE consumer = ? AND source = ? ORDER BY key, partition',
  );
  const selectMessages = db
    .prepare<[string, string, string, number, number], string>(
      `SELECT message FROM parked WHERE consumer = ? AND source = ? AND key = ? AND position > ?
       ORDER BY position LIMIT ?`,
    )
    .pluck();

  return {
    keys: (consumer, source) => selectKeys.all(consumer, source),

    read: (consumer, source, key, after, limit) =>
      selectMessages
        .all(consumer, source, key, after, checkLimit(limit, 'readParked'))
        .map((message) => JSON.parse(message) as ParkedMessage),
  };
}
