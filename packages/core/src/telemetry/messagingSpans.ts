import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import type { Delivered, MessageHeaders } from '../envelope/Envelope.ts';
import { recordProcessed } from './messagingMetrics.ts';

/**
 * Spans of Parley's messaging, through `@opentelemetry/api`: a no-op until the application registers an
 * OpenTelemetry SDK. Names and attributes follow the OpenTelemetry messaging conventions (`send <destination>`,
 * `process <destination>`, `messaging.*`). The W3C trace context travels in the `traceparent` and `tracestate`
 * headers; a message handled again later (a delayed retry, a redrive, a scheduled message) starts a new trace
 * linked to the one it came from, under the `tracelink` header.
 */
const TRACER = '@parley/core';
const SYSTEM = 'parley';

/** The header of a message that starts a new trace linked to this W3C traceparent (see {@link processSpan}). */
export const TRACE_LINK_HEADER = 'tracelink';

let tracerProvider: unknown;
let tracer: Tracer;

/**
 * Parley's tracer from the provider registered now. The API's proxy provider makes a new proxy tracer on every
 * `getTracer` until an SDK registers; this one is kept until the global provider itself is replaced.
 */
function currentTracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (provider !== tracerProvider) {
    tracerProvider = provider;
    tracer = provider.getTracer(TRACER);
  }
  return tracer;
}

/** `process <source>`, made once per source. */
const processNames = new Map<string, string>();

const getter: TextMapGetter<MessageHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/**
 * The headers of an outgoing message, with the trace context of the span running now (the `process` span of the
 * message being handled, the `send` span of a publish): the receiver's span becomes its child. Unchanged when no
 * span runs or no SDK is registered — then a cause's traceparent, copied by `headersCausedBy`, travels as it is.
 */
export function withTraceContext(headers: MessageHeaders): MessageHeaders {
  const active = context.active();
  if (trace.getSpan(active) === undefined) return headers;
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  if (carrier.traceparent === undefined) return headers;
  return { ...headers, ...carrier };
}

/**
 * The headers of a message that will be handled later (a scheduled message, a timer): the trace it belongs to
 * moves to {@link TRACE_LINK_HEADER}, so its handling starts a trace of its own, linked to this one.
 */
export function asTraceLink(headers: MessageHeaders): MessageHeaders {
  const { traceparent, tracestate: _tracestate, ...rest } = headers;
  return traceparent === undefined ? headers : { ...rest, [TRACE_LINK_HEADER]: traceparent };
}

/** Runs `work` in a `send <topic>` span (kind PRODUCER). */
export function sendSpan<T>(topic: string, messages: number, work: () => Promise<T>): Promise<T> {
  const span = currentTracer().startSpan(`send ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': SYSTEM,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': topic,
      ...(messages > 1 ? { 'messaging.batch.message_count': messages } : {}),
    },
  });
  return runIn(span, trace.setSpan(context.active(), span), work);
}

/**
 * Runs a handler's attempt in a `process <source>` span (kind CONSUMER): the child of the message's trace context,
 * or — for a message handled again later (`redelivery`) or marked with {@link TRACE_LINK_HEADER} — the root of a
 * new trace with a link to it. `ended` hears how long the attempt took (the duration the metrics record) and its
 * error.
 */
export function processSpan<T>(
  message: Delivered,
  consumer: string,
  options: {
    redelivery: boolean;
    attempt: number;
    ended?: (seconds: number, error: Error | undefined) => void;
  },
  work: () => Promise<T>,
): Promise<T> {
  const tracer = currentTracer();
  const linked = message.headers[TRACE_LINK_HEADER];
  const from = propagation.extract(
    context.active(),
    linked === undefined ? message.headers : { traceparent: linked },
    getter,
  );
  const origin = trace.getSpanContext(from);
  let name = processNames.get(message.source);
  if (name === undefined) processNames.set(message.source, (name = `process ${message.source}`));
  const span =
    origin !== undefined && !options.redelivery && linked === undefined
      ? tracer.startSpan(name, { kind: SpanKind.CONSUMER }, from)
      : tracer.startSpan(name, {
          kind: SpanKind.CONSUMER,
          root: true,
          links: origin === undefined ? [] : [{ context: origin }],
        });
  // Without an SDK nothing records: the attributes are not even built.
  if (span.isRecording()) span.setAttributes(processAttributes(message, consumer, options.attempt));
  const started = performance.now();
  return runIn(span, trace.setSpan(context.active(), span), work, (error) => {
    const seconds = (performance.now() - started) / 1000;
    recordProcessed(message.source, consumer, seconds, error);
    options.ended?.(seconds, error);
  });
}

function processAttributes(message: Delivered, consumer: string, attempt: number): Attributes {
  return {
    'messaging.system': SYSTEM,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': message.source,
    'messaging.destination.partition.id': String(message.partition),
    'messaging.consumer.group.name': consumer,
    'messaging.message.id': message.id,
    'parley.message.type': message.type,
    'parley.message.key': message.key,
    'parley.attempt': attempt,
    ...(message.headers.correlationId === undefined
      ? {}
      : { 'messaging.message.conversation_id': message.headers.correlationId }),
  };
}

async function runIn<T>(
  span: Span,
  active: Context,
  work: () => Promise<T>,
  done?: (error: Error | undefined) => void,
): Promise<T> {
  let failure: Error | undefined;
  try {
    return await context.with(active, work);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    throw error;
  } finally {
    span.end();
    done?.(failure);
  }
}
