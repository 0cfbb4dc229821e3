import type { MessageHeaders } from '../envelope/Envelope.ts';
import type { MessageId } from '../ids/MessageId.ts';
import type { ErrorRecord } from './DeadLetter.ts';

/** A validated message on its way to a topic. The core computes the partition and serialises the payload. */
export interface OutgoingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly id: MessageId;
  readonly type: string;
  readonly key: string;
  /** The payload as JSON text. */
  readonly payload: string;
  readonly headers: MessageHeaders;
  /** ISO-8601. */
  readonly occurredAt: string;
}

/** A message read back from a topic partition. Fields are as stored: the core decodes and validates them. */
export interface LogRecord extends Omit<OutgoingMessage, 'id'> {
  readonly id: string;
  /** Increasing within the partition; not necessarily contiguous. */
  readonly position: number;
}

/** A message waiting in a store's outbox for the relay. */
export interface OutboxRecord extends OutgoingMessage {
  /** Outbox order: the relay publishes in this order and marks by it. */
  readonly seq: number;
}

/** Where an outbox message stands. */
export const OutboxStatus = {
  /** Waiting for the relay (or being sent). */
  pending: 'pending',
  /** The bus refused it (unknown topic, partition out of range): set aside, the rest of the outbox goes on. */
  failed: 'failed',
  /** Dropped by an operator; kept for the record, never sent. */
  discarded: 'discarded',
} as const;
export type OutboxStatus = (typeof OutboxStatus)[keyof typeof OutboxStatus];

/** An outbox message with its state, for operators. */
export interface OutboxEntry extends OutboxRecord {
  readonly status: OutboxStatus;
  /** How many times the relay found that the bus refuses it. */
  readonly attempts: number;
  /** Why the bus refused it, the last time; null while it never failed. */
  readonly error: ErrorRecord | null;
  /** ISO-8601 time of the last refusal, or null. */
  readonly failedAt: string | null;
  /** Who discarded it or last put it back in the queue, and when (ISO-8601); null while no one did. */
  readonly actedBy: string | null;
  readonly actedAt: string | null;
}

/** Which outbox messages to list. */
export interface OutboxFilter {
  /** @default 'failed' */
  readonly status?: OutboxStatus | ReadonlyArray<OutboxStatus>;
  readonly topic?: string;
  /** Only messages with a greater `seq` (paging). */
  readonly after?: number;
  /** @default 100 */
  readonly limit?: number;
}

/** A message the relay sets aside: the bus refuses it. */
export interface OutboxFailure {
  readonly seq: number;
  readonly error: ErrorRecord;
}
