import { checkLimit, OUTBOX_COLUMNS, outboxStatuses, toOutboxEntry, type OutboxRow } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { OutboxEntry, OutboxFilter } from '@parley/core';

/** The operator reads of the outbox (`listOutbox`, `getOutbox` of `Store`), synchronous. */
export interface OutboxReads {
  list(filter?: OutboxFilter): OutboxEntry[];
  get(seq: number): OutboxEntry | undefined;
}

/**
 * Prepares the statements once. `status` and `topic` bind JSON arrays (no topic: an empty array, any topic), so
 * one statement serves every filter.
 */
export function prepareOutboxReads(db: Database.Database): OutboxReads {
  const selectList = db.prepare<[string, string, string, number, number], OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM outbox
     WHERE status IN (SELECT value FROM json_each(?))
       AND (json_array_length(?) = 0 OR topic IN (SELECT value FROM json_each(?)))
       AND seq > ?
     ORDER BY seq LIMIT ?`,
  );
  const selectOne = db.prepare<[number], OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE seq = ?`);
  return {
    list(filter = {}) {
      const topics = JSON.stringify(filter.topic === undefined ? [] : [filter.topic]);
      return selectList
        .all(
          JSON.stringify(outboxStatuses(filter.status)),
          topics,
          topics,
          filter.after ?? 0,
          checkLimit(filter.limit ?? 100, 'listOutbox'),
        )
        .map(toOutboxEntry);
    },
    get(seq) {
      const row = selectOne.get(seq);
      return row === undefined ? undefined : toOutboxEntry(row);
    },
  };
}
