import { checkLimit, MESSAGE_COLUMNS, toLogRecord, type MessageRow } from '@parley/sql';
import type { LogRecord } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/** `Bus.findCorrelated`: through the `messages_by_correlation` index, checked against the parsed headers. */
export async function findCorrelated(
  db: Queryable,
  s: string,
  correlationId: string,
  limit: number,
): Promise<LogRecord[]> {
  // The index holds the header's JSON string body: the id as JSON escapes it, without its quotes.
  const escaped = JSON.stringify(correlationId).slice(1, -1);
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM ${s}.messages
     WHERE substring(headers FROM '"correlationId":"((?:[^"\\\\]|\\\\.)*)"') = $1 ORDER BY position LIMIT $2`,
    [escaped, checkLimit(limit, 'findCorrelated')],
  );
  return rows.map(toLogRecord).filter((record) => record.headers.correlationId === correlationId);
}
