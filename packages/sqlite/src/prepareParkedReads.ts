import { checkLimit } from '@parley/sql';
import type Database from 'better-sqlite3';
import { checkMaxBytes, countWithinBytes, type ParkedMessage } from '@parley/core';

/** The parked-queue reads of `Store`, synchronous. */
export interface ParkedReads {
  keys(consumer: string, source: string): Array<{ key: string; partition: number }>;
  read(
    consumer: string,
    source: string,
    key: string,
    after: number,
    limit: number,
    maxBytes?: number,
  ): ParkedMessage[];
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
  // Sizes from the record headers, without loading the messages (see createMessageLog).
  const selectSizes = db
    .prepare<[string, string, string, number, number], number>(
      `SELECT octet_length(message) FROM parked WHERE consumer = ? AND source = ? AND key = ? AND position > ?
       ORDER BY position LIMIT ?`,
    )
    .pluck();
  const selectWithin = db.transaction(
    (consumer: string, source: string, key: string, after: number, limit: number, maxBytes: number) => {
      const count = countWithinBytes(selectSizes.all(consumer, source, key, after, limit), maxBytes);
      return count === 0 ? [] : selectMessages.all(consumer, source, key, after, count);
    },
  );

  return {
    keys: (consumer, source) => selectKeys.all(consumer, source),

    read: (consumer, source, key, after, limit, maxBytes = Number.POSITIVE_INFINITY) => {
      checkLimit(limit, 'readParked');
      checkMaxBytes(maxBytes, 'readParked');
      const rows =
        maxBytes === Number.POSITIVE_INFINITY || limit <= 1
          ? selectMessages.all(consumer, source, key, after, limit)
          : selectWithin(consumer, source, key, after, limit, maxBytes);
      return rows.map((message) => JSON.parse(message) as ParkedMessage);
    },
  };
}
