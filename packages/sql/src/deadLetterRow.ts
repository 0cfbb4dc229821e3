import {
  INVALID_HEADERS,
  type DeadLetter,
  type DeadLetterAction,
  type DeadLetterEdit,
  type DeadLetterReason,
  type DeadLetterStatus,
  type ParkedMessage,
} from '@parley/core';
import { isObject, readErrorRecord, readStoredJson } from './readStoredJson.ts';
import { toDueAt } from './toDueAt.ts';
import { toJsonText } from './toJsonText.ts';

/**
 * A `dead_letters` row as every SQL store keeps it: the record's fields, the message's filter fields in columns of
 * their own, and `message`, `error` and `edits` as JSON text.
 */
export interface DeadLetterRow {
  id: string;
  consumer: string;
  source: string;
  partition: number;
  position: number;
  key: string;
  message_id: string;
  type: string;
  status: string;
  reason: string;
  attempts: number;
  error: string;
  message: string;
  first_failed_at: string;
  last_failed_at: string;
  action: string | null;
  due_at: number | null;
  edits: string;
  version: number;
  updated_at: string;
}

/** Every column of `dead_letters`, in the order statements list them. */
export const DEAD_LETTER_COLUMNS: ReadonlyArray<keyof DeadLetterRow> = [
  'id',
  'consumer',
  'source',
  'partition',
  'position',
  'key',
  'message_id',
  'type',
  'status',
  'reason',
  'attempts',
  'error',
  'message',
  'first_failed_at',
  'last_failed_at',
  'action',
  'due_at',
  'edits',
  'version',
  'updated_at',
];

/**
 * The row of a dead letter to write (a fractional `dueAt` rounded up). Throws on an action without a due time:
 * it would never come due, and its key would stay blocked.
 */
export function toDeadLetterRow(deadLetter: DeadLetter): DeadLetterRow {
  const { id, message } = deadLetter;
  if (deadLetter.action !== null && deadLetter.dueAt === null) {
    throw new TypeError(`dead letter ${id}: action "${deadLetter.action}" needs a dueAt`);
  }
  return {
    id,
    consumer: deadLetter.consumer,
    source: message.source,
    partition: message.partition,
    position: message.position,
    key: message.key,
    message_id: message.id,
    type: message.type,
    status: deadLetter.status,
    reason: deadLetter.reason,
    attempts: deadLetter.attempts,
    error: toJsonText(deadLetter.error, () => `dead letter ${id} error`),
    message: toJsonText(message, () => `dead letter ${id} message`),
    first_failed_at: deadLetter.firstFailedAt,
    last_failed_at: deadLetter.lastFailedAt,
    action: deadLetter.action,
    due_at: deadLetter.dueAt === null ? null : toDueAt(deadLetter.dueAt, `dead letter ${id}`),
    edits: toJsonText(deadLetter.edits, () => `dead letter ${id} edits`),
    version: deadLetter.version,
    updated_at: deadLetter.updatedAt,
  };
}

/** The dead letter a row holds; the message's own fields come from its JSON, not the filter columns. */
export function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    consumer: row.consumer,
    // A message that cannot be read is kept from its columns, marked invalid: a redrive dead-letters it again as
    // invalid instead of failing, and the other dead letters are read as usual.
    message: readStoredJson<ParkedMessage>(row.message, isObject, (raw) => ({
      id: row.message_id,
      type: row.type,
      key: row.key,
      payload: raw,
      headers: { [INVALID_HEADERS]: raw },
      occurredAt: row.first_failed_at,
      source: row.source,
      partition: row.partition,
      position: row.position,
    })),
    status: row.status as DeadLetterStatus,
    reason: row.reason as DeadLetterReason,
    attempts: row.attempts,
    error: readErrorRecord(row.error),
    firstFailedAt: row.first_failed_at,
    lastFailedAt: row.last_failed_at,
    action: row.action as DeadLetterAction | null,
    dueAt: row.due_at,
    edits: readStoredJson<DeadLetterEdit[]>(row.edits, Array.isArray, () => []),
    version: row.version,
    updatedAt: row.updated_at,
  };
}
