import { checkLimit } from '@parley/sql';
import type Database from 'better-sqlite3';
import { parseHeaderText, type LogRecord } from '@parley/core';

interface CorrelatedRow {
  position: number;
  topic: string;
  partition: number;
  id: string;
  type: string;
  key: string;
  payload: string;
  headers: string;
  occurred_at: string;
}

/** `Bus.findCorrelated`, synchronous: through the `messages_by_correlation` index. */
export function prepareCorrelatedReads(
  db: Database.Database,
): (correlationId: string, limit: number) => LogRecord[] {
  const select = db.prepare<[string, number], CorrelatedRow>(
    `SELECT position, topic, partition, id, type, key, payload, headers, occurred_at FROM messages
     WHERE (CASE WHEN json_valid(headers) THEN json_extract(headers, '$.correlationId') END) = ?
     ORDER BY position LIMIT ?`,
  );
  return (correlationId, limit) =>
    select.all(correlationId, checkLimit(limit, 'findCorrelated')).map((row) => ({
      topic: row.topic,
      partition: row.partition,
      position: row.position,
      id: row.id,
      type: row.type,
      key: row.key,
      payload: row.payload,
      headers: parseHeaderText(row.headers),
      occurredAt: row.occurred_at,
    }));
}
