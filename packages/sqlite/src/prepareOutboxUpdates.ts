import { OUTBOX_COLUMNS, toOutboxEntry, type OutboxRow } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { OutboxEntry, OutboxFailure } from '@parley/core';

/** The outbox's state changes (`setAsideOutbox`, `discardOutbox`, `retryOutbox` of `Store`), synchronous. */
export interface OutboxUpdates {
  /** Marks pending rows failed, in one transaction. */
  setAside(failures: ReadonlyArray<OutboxFailure>, at: string): void;
  /** failed → discarded; undefined when no failed row has `seq`. */
  discard(seq: number, by: string, at: string): OutboxEntry | undefined;
  /** failed → pending; undefined when no failed row has `seq`. */
  retry(seq: number, by: string, at: string): OutboxEntry | undefined;
}

export function prepareOutboxUpdates(db: Database.Database): OutboxUpdates {
  const failOne = db.prepare<[string, string, number]>(
    `UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, failed_at = ?
     WHERE seq = ? AND status = 'pending'`,
  );
  const resolveOne = db.prepare<[string, string, string, number], OutboxRow>(
    `UPDATE outbox SET status = ?, acted_by = ?, acted_at = ?
     WHERE seq = ? AND status = 'failed'
     RETURNING ${OUTBOX_COLUMNS}`,
  );
  const setAside = db.transaction((failures: ReadonlyArray<OutboxFailure>, at: string) => {
    for (const { seq, error } of failures) failOne.run(JSON.stringify(error), at, seq);
  });
  const resolve = (status: 'discarded' | 'pending', seq: number, by: string, at: string) => {
    const row = resolveOne.get(status, by, at, seq);
    return row === undefined ? undefined : toOutboxEntry(row);
  };
  return {
    setAside: (failures, at) => setAside(failures, at),
    discard: (seq, by, at) => resolve('discarded', seq, by, at),
    retry: (seq, by, at) => resolve('pending', seq, by, at),
  };
}
