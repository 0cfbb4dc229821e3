import { checkLimit, OUTBOX_COLUMNS, outboxStatuses, toOutboxEntry, type OutboxRow } from '@parley/sql';
import type { OutboxEntry, OutboxFilter } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/** Outbox messages matching `filter` (by default the failed ones), in outbox order. A null topic means any. */
export async function listOutbox(
  db: Queryable,
  s: string,
  filter: OutboxFilter = {},
): Promise<OutboxEntry[]> {
  const { rows } = await db.query<OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM ${s}.outbox
     WHERE status = ANY($1::text[]) AND ($2::text IS NULL OR topic = $2) AND seq > $3
     ORDER BY seq LIMIT $4`,
    [
      outboxStatuses(filter.status),
      filter.topic ?? null,
      filter.after ?? 0,
      checkLimit(filter.limit ?? 100, 'listOutbox'),
    ],
  );
  return rows.map(toOutboxEntry);
}

/** One outbox message, whatever its status; undefined once sent. */
export async function getOutbox(db: Queryable, s: string, seq: number): Promise<OutboxEntry | undefined> {
  const { rows } = await db.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM ${s}.outbox WHERE seq = $1`, [
    seq,
  ]);
  return rows[0] === undefined ? undefined : toOutboxEntry(rows[0]);
}
