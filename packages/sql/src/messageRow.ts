import { parseHeaderText, type LogRecord } from '@parley/core';

/** A `messages` row (the topic log) as every SQL bus keeps it; `headers` is JSON text. */
export interface MessageRow {
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

/** The columns of {@link MessageRow}, in the order statements list them. */
export const MESSAGE_COLUMNS = 'position, topic, partition, id, type, key, payload, headers, occurred_at';

/** A log row as a record; headers that are not JSON read as none. */
export function toLogRecord(row: MessageRow): LogRecord {
  return {
    topic: row.topic,
    partition: row.partition,
    position: row.position,
    id: row.id,
    type: row.type,
    key: row.key,
    payload: row.payload,
    headers: parseHeaderText(row.headers),
    occurredAt: row.occurred_at,
  };
}
