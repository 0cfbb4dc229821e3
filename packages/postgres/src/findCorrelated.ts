import { checkLimit } from '@parley/sql';
import { parseHeaderText, type LogRecord } from '@parley/core';
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
  const { rows } = await db.query<{
    position: number;
    topic: string;
    partition: number;
    id: string;
    type: string;
    key: string;
    payload: string;
    headers: string;
    occurred_at: string;
  }>(
    `SELECT position, topic, partition, id, type, key, payload, headers, occurred_at FROM ${s}.messages
     WHERE substring(headers FROM '"correlationId":"((?:[^"\\\\]|\\\\.)*)"') = $1 ORDER BY position LIMIT $2`,
    [escaped, checkLimit(limit, 'findCorrelated')],
  );
  return rows
    .map((row) => ({
      topic: row.topic,
      partition: row.partition,
      position: row.position,
      id: row.id,
      type: row.type,
      key: row.key,
      payload: row.payload,
      headers: parseHeaderText(row.headers),
      occurredAt: row.occurred_at,
    }))
    .filter((record) => record.headers.correlationId === correlationId);
}
