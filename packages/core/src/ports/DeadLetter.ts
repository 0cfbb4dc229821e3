import type { ParkedMessage } from './ParkedMessage.ts';

/** Where a dead letter stands. */
export const DeadLetterStatus = {
  /** Waiting for a delayed retry; its key is parked. */
  retrying: 'retrying',
  /** Retries exhausted (or invalid input); its key stays blocked until an operator acts. */
  parked: 'parked',
  /**
   * An operator asked for it to be handled again (possibly edited): a parked head drains its key once it
   * succeeds; an escalated or skipped message is replayed on its own.
   */
  redriven: 'redriven',
  /** Dropped by an operator (discard or skip-head); its key drained. */
  discarded: 'discarded',
  /** Exhausted under the `skip` policy: recorded, key released. */
  skipped: 'skipped',
  /** Exhausted under the `escalate` policy: `onExhausted` turned it into domain effects, key released. */
  escalated: 'escalated',
} as const;
export type DeadLetterStatus = (typeof DeadLetterStatus)[keyof typeof DeadLetterStatus];

/** Why a message failed. */
export type DeadLetterReason = 'failed' | 'invalid';

/** An error as recorded. */
export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

/** One audited edit of a dead letter's payload. */
export interface DeadLetterEdit {
  /** ISO-8601. */
  readonly at: string;
  readonly by: string;
  readonly reason?: string;
  /** Payload JSON text before and after. */
  readonly before: string;
  readonly after: string;
}

/**
 * What the consumer owning a dead letter must do with it when it is due: `retry` or `drop` the head of its key's
 * parked queue, or `replay` a message that is in no queue any more (it was escalated or skipped, and its key
 * went on): handled once more on its own, without parking its key.
 */
export type DeadLetterAction = 'retry' | 'drop' | 'replay';

/** A failed message of one consumer, with its history. */
export interface DeadLetter {
  /** A ULID, for operators to refer to it. */
  readonly id: string;
  readonly consumer: string;
  /** The message as it will be handled again (edits applied). */
  readonly message: ParkedMessage;
  readonly status: DeadLetterStatus;
  readonly reason: DeadLetterReason;
  /** Handler attempts in the current retry cycle (reset by a redrive). */
  readonly attempts: number;
  readonly error: ErrorRecord;
  /** ISO-8601. */
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  /** Pending work for the owning consumer, due at `dueAt` (ms since the epoch). */
  readonly action: DeadLetterAction | null;
  readonly dueAt: number | null;
  readonly edits: ReadonlyArray<DeadLetterEdit>;
  /**
   * Number of events on the dead letter's system stream (`parley-dead-letters`/`id`); every change appends one, so
   * concurrent changes conflict on that stream's version.
   */
  readonly version: number;
  /** ISO-8601 of the last change. */
  readonly updatedAt: string;
}

/** Filter for listing dead letters; every field narrows. */
export interface DeadLetterFilter {
  readonly consumer?: string;
  readonly type?: string;
  readonly key?: string;
  readonly status?: DeadLetterStatus | ReadonlyArray<DeadLetterStatus>;
  readonly reason?: DeadLetterReason;
  /** Substring of the error name or message. */
  readonly error?: string;
  /** Last failure at or after / before (ISO-8601). */
  readonly since?: string;
  readonly until?: string;
  /**
   * At most this many. Results are ordered by id; for the next page, pass the last id as `after` (a page
   * shorter than `limit` is the last).
   * @default 100
   */
  readonly limit?: number;
  /** Only ids greater than this one: the last id of the previous page. */
  readonly after?: string;
}
