import { checkLimit, MESSAGE_COLUMNS, toLogRecord, type MessageRow } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { LogRecord } from '@parley/core';

/** `Bus.findCorrelated`, synchronous: through the `messages_by_correlation` index. */
export function prepareCorrelatedReads(
  db: Database.Database,
): (correlationId: string, limit: number) => LogRecord[] {
  const select = db.prepare<[string, number], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages
     WHERE (CASE WHEN json_valid(headers) THEN json_extract(headers, '$.correlationId') END) = ?
     ORDER BY position LIMIT ?`,
  );
  return (correlationId, limit) =>
    select.all(correlationId, checkLimit(limit, 'findCorrelated')).map(toLogRecord);
}
