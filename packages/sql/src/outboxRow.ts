import {
  parseHeaderText,
  type MessageId,
  type OutboxEntry,
  type OutboxRecord,
  type OutboxStatus,
} from '@parley/core';
import { readErrorRecord } from './readStoredJson.ts';

/** An `outbox` row as every SQL store keeps it: the message, then its relay state; `headers` and `error` JSON text. */
export interface OutboxRow {
  seq: number;
  topic: string;
  partition: number;
  id: string;
  type: string;
  key: string;
  payload: string;
  headers: string;
  occurred_at: string;
  status: string;
  attempts: number;
  error: string | null;
  failed_at: string | null;
  acted_by: string | null;
  acted_at: string | null;
}

/** Every column of `outbox`, in the order statements list them. */
export const OUTBOX_COLUMNS =
  'seq, topic, partition, id, type, key, payload, headers, occurred_at, status, attempts, error, failed_at, acted_by, acted_at';

/** The message columns of an `outbox` row: what the relay reads. */
export type OutboxMessageRow = Pick<
  OutboxRow,
  'seq' | 'topic' | 'partition' | 'id' | 'type' | 'key' | 'payload' | 'headers' | 'occurred_at'
>;

/**
 * The message of an `outbox` row. Never throws: header text that cannot be read travels on, marked, and its
 * consumer dead-letters the message, so one bad row never holds up the outbox behind it.
 */
export function toOutboxRecord(row: OutboxMessageRow): OutboxRecord {
  return {
    seq: row.seq,
    topic: row.topic,
    partition: row.partition,
    id: row.id as MessageId,
    type: row.type,
    key: row.key,
    payload: row.payload,
    headers: parseHeaderText(row.headers),
    occurredAt: row.occurred_at,
  };
}

export function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    ...toOutboxRecord(row),
    status: row.status as OutboxStatus,
    attempts: row.attempts,
    error: row.error === null ? null : readErrorRecord(row.error),
    failedAt: row.failed_at,
    actedBy: row.acted_by,
    actedAt: row.acted_at,
  };
}

/** The statuses a filter asks for: `failed` when it names none. */
export function outboxStatuses(
  status: OutboxStatus | ReadonlyArray<OutboxStatus> | undefined,
): OutboxStatus[] {
  if (status === undefined) return ['failed'];
  return typeof status === 'string' ? [status] : [...status];
}
