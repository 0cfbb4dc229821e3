import type { Envelope, MessageHeaders } from './Envelope.ts';

/** Headers for a message caused by `cause`: same correlation, causation pointing at the cause. */
export function headersCausedBy(cause: Envelope, extra?: MessageHeaders): MessageHeaders {
  const headers: MessageHeaders = {
    correlationId: cause.headers.correlationId ?? cause.id,
    causationId: cause.id,
  };
  if (cause.headers.traceparent !== undefined) headers.traceparent = cause.headers.traceparent;
  if (cause.headers.tracestate !== undefined) headers.tracestate = cause.headers.tracestate;
  if (extra === undefined) return headers;
  for (const name in extra) {
    const value = extra[name];
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return headers;
}

/** Drops headers whose value is undefined, so they are not serialised as `null`. */
export function compactHeaders(headers: MessageHeaders): MessageHeaders {
  const out: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  return out;
}

/**
 * The header under which {@link parseHeaderText} keeps stored header text that is not a JSON object of strings;
 * a consumer that reads a message with it dead-letters the message as invalid.
 */
export const INVALID_HEADERS = 'parley-invalid-headers';

/**
 * Headers from their stored JSON text. Never throws: text that is not a JSON object of string values comes back
 * as `{ [INVALID_HEADERS]: text }`, so one bad row is dead-lettered as invalid instead of failing every read of
 * its partition. `null` and the empty string are no headers.
 */
export function parseHeaderText(text: unknown): MessageHeaders {
  if (text === null || text === undefined || text === '') return {};
  const raw = typeof text === 'string' ? text : (JSON.stringify(text) ?? '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { [INVALID_HEADERS]: raw };
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return { [INVALID_HEADERS]: raw };
  for (const value of Object.values(parsed)) if (typeof value !== 'string') return { [INVALID_HEADERS]: raw };
  return parsed as MessageHeaders;
}
