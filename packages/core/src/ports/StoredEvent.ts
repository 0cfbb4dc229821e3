import type { MessageHeaders } from '../envelope/Envelope.ts';
import type { MessageId } from '../ids/MessageId.ts';

/** An event to append; its version is the stream's expected version plus its index plus one. */
export interface NewEvent {
  readonly id: MessageId;
  readonly type: string;
  readonly data: unknown;
  /** correlationId, causationId, commandId … of the command that caused it. */
  readonly metadata: MessageHeaders;
  /** ISO-8601. */
  readonly occurredAt: string;
}

/** An event as the store returns it. */
export interface StoredEvent extends NewEvent {
  readonly entity: string;
  readonly entityId: string;
  /** 1 for the first event of a stream, then +1 for each. */
  readonly version: number;
  /** Position in the store's global event log: increasing in commit order, not necessarily contiguous. */
  readonly position: number;
}
