import { deadLetterChange } from '../deadletter/deadLetterChange.ts';
import { errorRecord } from '../deadletter/errorRecord.ts';
import { newMessageId } from '../ids/MessageId.ts';
import type {
  DeadLetter,
  DeadLetterAction,
  DeadLetterReason,
  DeadLetterStatus,
} from '../ports/DeadLetter.ts';
import type { ParkedMessage } from '../ports/ParkedMessage.ts';
import type { ChangeParts } from './ChangeParts.ts';

/** Puts a message at its place in its key's parked queue. */
export function parkParts(consumer: string, message: ParkedMessage): ChangeParts {
  return { parks: [{ consumer, message }] };
}

/** Takes a message out of its key's parked queue. */
export function unparkParts(consumer: string, message: ParkedMessage): ChangeParts {
  return { unparks: [{ consumer, source: message.source, key: message.key, position: message.position }] };
}

export interface FailureRecord {
  readonly consumer: string;
  /** The dead letter this message already has (a parked head), if any. */
  readonly existing: DeadLetter | undefined;
  readonly message: ParkedMessage;
  readonly error: Error;
  readonly reason: DeadLetterReason;
  readonly attempts: number;
  readonly status: DeadLetterStatus;
  readonly action: DeadLetterAction | null;
  readonly dueAt: number | null;
  readonly now: number;
}

/** Records a failure on a (new or existing) dead letter, with its `MessageFailed` system event. */
export function failureParts(record: FailureRecord): { parts: ChangeParts; deadLetter: DeadLetter } {
  const { existing, now } = record;
  const at = new Date(now).toISOString();
  const error = errorRecord(record.error);
  const change = deadLetterChange(
    existing,
    {
      id: existing?.id ?? newMessageId(now),
      consumer: record.consumer,
      message: existing?.message ?? record.message,
      status: record.status,
      reason: record.reason,
      attempts: record.attempts,
      error,
      firstFailedAt: existing?.firstFailedAt ?? at,
      lastFailedAt: at,
      action: record.action,
      dueAt: record.dueAt,
      edits: existing?.edits ?? [],
    },
    {
      type: 'MessageFailed',
      data: { reason: record.reason, attempts: record.attempts, error, retryAt: record.dueAt },
    },
    now,
  );
  return {
    parts: { deadLetters: [change.deadLetter], appends: [change.append] },
    deadLetter: change.deadLetter,
  };
}

/**
 * A parked message with a dead letter was handled after all: a message that was only waiting for a retry leaves
 * no dead letter behind; one an operator redrove keeps its record, its action cleared.
 */
export function recoveredParts(deadLetter: DeadLetter, now: number): ChangeParts {
  const change = deadLetterChange(
    deadLetter,
    { ...deadLetter, action: null, dueAt: null },
    { type: 'MessageRecovered', data: { attempts: deadLetter.attempts } },
    now,
  );
  return deadLetter.status === 'retrying'
    ? { deadLetterDeletes: [deadLetter.id], appends: [change.append] }
    : { deadLetters: [change.deadLetter], appends: [change.append] };
}

/** An operator's discard was carried out: the message left its queue. */
export function droppedParts(deadLetter: DeadLetter, now: number): ChangeParts {
  const change = deadLetterChange(
    deadLetter,
    { ...deadLetter, action: null, dueAt: null },
    { type: 'MessageDropped', data: {} },
    now,
  );
  return { deadLetters: [change.deadLetter], appends: [change.append] };
}
