import type { MessageHeaders } from '../envelope/Envelope.ts';

/** A message kept in a consumer's parked queue or dead-letter store: all it takes to handle it again. */
export interface ParkedMessage {
  readonly id: string;
  readonly type: string;
  readonly key: string;
  /** The payload as JSON text, exactly as read (it may be malformed when the reason is `invalid`). */
  readonly payload: string;
  readonly headers: MessageHeaders;
  readonly occurredAt: string;
  readonly source: string;
  readonly partition: number;
  readonly position: number;
}
