import type { MessageId } from '../ids/MessageId.ts';

/**
 * Headers every message may carry. Unknown headers are kept as they are, so users can add their own.
 * All values are strings, as on every bus.
 */
export interface MessageHeaders {
  /** Shared by every message of one conversation (a saga, a request and its reply). */
  correlationId?: string;
  /** The id of the message or command that caused this one. */
  causationId?: string;
  /** W3C trace context. */
  traceparent?: string;
  tracestate?: string;
  /** Topic to which the outcome of the command carried by this message is published. */
  replyTo?: string;
  /** Idempotency key of the command carried by this message. */
  commandId?: string;
  [header: string]: string | undefined;
}

/** One message: what topics carry, what handlers receive. */
export interface Envelope<TType extends string = string, TPayload = unknown> {
  /** Unique and time-sortable. Derived deterministically when produced while handling another message. */
  readonly id: MessageId;
  readonly type: TType;
  /** Ordering key: messages with one key are handled one at a time, in order. */
  readonly key: string;
  readonly payload: TPayload;
  readonly headers: Readonly<MessageHeaders>;
  /** ISO-8601 timestamp of when the message was first produced. */
  readonly occurredAt: string;
}

/** Where a message sits in the log it was read from. */
export interface LogPosition {
  /** Topic name, or `entity:<name>` for an entity's event stream. */
  readonly source: string;
  readonly partition: number;
  /** Increasing within a partition; not necessarily contiguous. */
  readonly position: number;
}

/** A message as a consumer receives it. */
export type Delivered<TType extends string = string, TPayload = unknown> = Envelope<TType, TPayload> &
  LogPosition;
