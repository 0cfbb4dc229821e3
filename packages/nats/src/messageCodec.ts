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

/**
 * The NATS headers and body of a message, and about how many bytes they take on the wire. Values are escaped so
 * that any key or header survives the wire.
 */
export function encodeMessage(message: OutgoingMessage): {
  headers: MsgHdrs;
  data: Uint8Array;
  bytes: number;
} {
  const headers = natsHeaders();
  const type = encodeURIComponent(message.type);
  const key = encodeURIComponent(message.key);
  const occurredAt = encodeURIComponent(message.occurredAt);
  // Header values must be one line; JSON escapes control characters, and non-ASCII is escaped to stay 7-bit.
  const userHeaders = JSON.stringify(message.headers).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  // A fresh block: `append`, as `set` would first look for a value to replace.
  headers.append(ParleyHeader.Id, message.id);
  headers.append(ParleyHeader.Type, type);
  headers.append(ParleyHeader.Key, key);
  headers.append(ParleyHeader.OccurredAt, occurredAt);
  headers.append(ParleyHeader.Headers, userHeaders);
  const data = encoder.encode(message.payload);
  // Values are ASCII by now; the names, separators and JetStream's own headers come to about 200 bytes.
  const bytes =
    data.byteLength +
    message.id.length +
    type.length +
    key.length +
    occurredAt.length +
    userHeaders.length +
    200;
  return { headers, data, bytes };
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
  // One pass over the headers: each `MsgHdrs.get` lists and scans every name.
  let id = '';
  let type = '';
  let key = '';
  let occurredAt = '';
  let userHeaders = '';
  for (const [name, values] of message.headers ?? []) {
    const value = values[0] ?? '';
    if (name === ParleyHeader.Id) id = value;
    else if (name === ParleyHeader.Type) type = value;
    else if (name === ParleyHeader.Key) key = value;
    else if (name === ParleyHeader.OccurredAt) occurredAt = value;
    else if (name === ParleyHeader.Headers) userHeaders = value;
  }
  return {
    topic,
    partition,
    position,
    id,
    type: decodeComponent(type),
    key: decodeComponent(key),
    occurredAt: decodeComponent(occurredAt),
    headers: parseHeaderText(userHeaders),
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
