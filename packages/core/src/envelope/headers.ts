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
