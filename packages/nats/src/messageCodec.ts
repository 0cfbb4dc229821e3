import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { parseHeaderText, type LogRecord, type OutgoingMessage } from '@parley/core';

/** NATS header names carrying the envelope; the payload is the message body. */
export const ParleyHeader = {
  Id: 'Parley-Id',
  Type: 'Parley-Type',
  Key: 'Parley-Key',
  OccurredAt: 'Parley-Occurred-At',
  /** The user headers (correlationId, traceparent, …) as one JSON object. */
  Headers: 'Parley-Headers',
} as const;
export type ParleyHeader = (typeof ParleyHeader)[keyof typeof ParleyHeader];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The NATS headers and body of a message. Values are escaped so that any key or header survives the wire. */
export function encodeMessage(message: OutgoingMessage): { headers: MsgHdrs; data: Uint8Array } {
  const headers = natsHeaders();
  headers.set(ParleyHeader.Id, message.id);
  headers.set(ParleyHeader.Type, encodeURIComponent(message.type));
  headers.set(ParleyHeader.Key, encodeURIComponent(message.key));
  headers.set(ParleyHeader.OccurredAt, encodeURIComponent(message.occurredAt));
  // Header values must be one line; JSON escapes control characters, and non-ASCII is escaped to stay 7-bit.
  headers.set(
    ParleyHeader.Headers,
    JSON.stringify(message.headers).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
  return { headers, data: encoder.encode(message.payload) };
}

/**
 * A stored NATS message as a log record. Missing or malformed envelope fields come back empty, for the core to
 * dead-letter as invalid: a foreign message on a Parley subject never crashes a reader.
 */
export function decodeMessage(
  topic: string,
  partition: number,
  position: number,
  message: { headers?: MsgHdrs | undefined; data: Uint8Array },
): LogRecord {
  const get = (name: ParleyHeader): string => message.headers?.get(name) ?? '';
  return {
    topic,
    partition,
    position,
    id: get(ParleyHeader.Id),
    type: decodeComponent(get(ParleyHeader.Type)),
    key: decodeComponent(get(ParleyHeader.Key)),
    occurredAt: decodeComponent(get(ParleyHeader.OccurredAt)),
    headers: parseHeaderText(get(ParleyHeader.Headers)),
    payload: decoder.decode(message.data),
  };
}

function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
