import type { MessageHeaders } from '../envelope/Envelope.ts';
import type { MessageId } from '../ids/MessageId.ts';

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
