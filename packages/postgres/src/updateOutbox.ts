import { OUTBOX_COLUMNS, toOutboxEntry, type OutboxRow } from '@parley/sql';
import type { OutboxEntry, OutboxFailure } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/** Marks pending outbox messages failed, in one statement; rows no longer pending are left alone. */
export async function setAsideOutbox(
  db: Queryable,
  s: string,
  failures: ReadonlyArray<OutboxFailure>,
  at: string,
): Promise<void> {
  if (failures.length === 0) return;
  await db.query(
    `UPDATE ${s}.outbox o SET status = 'failed', attempts = o.attempts + 1, error = f.error, failed_at = $3
     FROM unnest($1::int8[], $2::text[]) AS f(seq, error)
     WHERE o.seq = f.seq AND o.status = 'pending'`,
    [failures.map((f) => f.seq), failures.map((f) => JSON.stringify(f.error)), at],
  );
}

/**
 * Moves a failed outbox message to `status` ('discarded', or 'pending' to retry it), recording who and when.
 * Returns it after the change, or undefined when no failed message has `seq`.
 */
export async function resolveOutbox(
  db: Queryable,
  s: string,
  status: 'discarded' | 'pending',
  seq: number,
  by: string,
  at: string,
): Promise<OutboxEntry | undefined> {
  const { rows } = await db.query<OutboxRow>(
    `UPDATE ${s}.outbox SET status = $1, acted_by = $2, acted_at = $3
     WHERE seq = $4 AND status = 'failed'
     RETURNING ${OUTBOX_COLUMNS}`,
    [status, by, at, seq],
  );
  return rows[0] === undefined ? undefined : toOutboxEntry(rows[0]);
}
