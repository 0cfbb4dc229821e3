import { metrics, type Attributes, type Counter, type Histogram } from '@opentelemetry/api';
import type { ServiceEvents } from '../events/ServiceEvents.ts';
import type { TypedEmitter } from '../events/TypedEmitter.ts';
import type { OutgoingMessage } from '../ports/OutgoingMessage.ts';

/**
 * Parley's messaging metrics through `@opentelemetry/api` (no-op until the application registers an
 * OpenTelemetry SDK), named by the OpenTelemetry messaging conventions where they name one:
 * `messaging.client.sent.messages` (committed for sending), `messaging.client.consumed.messages` and
 * `messaging.process.duration` (seconds; `error.type` on a failed attempt); and `parley.dead_letters.created` by
 * status, `parley.consumer.commit.duration` (seconds) of a consumer's batch commits, `parley.handler.failures`
 * (failed attempts, by `error.type`) and `parley.retries` (by `parley.retry.kind`: `immediate` or `delayed`). The
 * Prometheus view of the same is `serviceMetrics` of `@parley/console`, fed by the services' events; what the
 * store holds (lag, parked keys, backlogs) is on the console's `/metrics`.
 */
interface Instruments {
  readonly sent: Counter;
  readonly consumed: Counter;
  readonly duration: Histogram;
  readonly deadLettered: Counter;
  readonly commitDuration: Histogram;
  readonly failures: Counter;
  readonly retries: Counter;
}

let instruments: Instruments | undefined;
let provider: unknown;

/** The instruments of the meter provider registered now (created again when an SDK registers another one). */
function current(): Instruments {
  const registered = metrics.getMeterProvider();
  if (instruments === undefined || provider !== registered) {
    provider = registered;
    const meter = metrics.getMeter('@parley/core');
    instruments = {
      sent: meter.createCounter('messaging.client.sent.messages', {
        description: 'Messages published',
        unit: '{message}',
      }),
      consumed: meter.createCounter('messaging.client.consumed.messages', {
        description: 'Messages handed to a handler (each attempt)',
        unit: '{message}',
      }),
      duration: meter.createHistogram('messaging.process.duration', {
        description: 'How long a handler attempt took',
        unit: 's',
      }),
      deadLettered: meter.createCounter('parley.dead_letters.created', {
        description: 'Messages dead-lettered (parked, skipped or escalated)',
        unit: '{message}',
      }),
      commitDuration: meter.createHistogram('parley.consumer.commit.duration', {
        description: "How long a consumer's commit of handled messages took",
        unit: 's',
      }),
      failures: meter.createCounter('parley.handler.failures', {
        description: 'Handler attempts that threw',
        unit: '{attempt}',
      }),
      retries: meter.createCounter('parley.retries', {
        description: 'Failed messages tried again: at once, or later through a durable timer',
        unit: '{attempt}',
      }),
    };
  }
  return instruments;
}

/** Counts the messages a commit wrote for sending, by topic, and tells the service's listeners (`messages:sent`). */
export function recordSent(
  outgoing: ReadonlyArray<OutgoingMessage>,
  events: TypedEmitter<ServiceEvents>,
): void {
  if (outgoing.length === 0) return;
  const byTopic = new Map<string, number>();
  for (const message of outgoing) byTopic.set(message.topic, (byTopic.get(message.topic) ?? 0) + 1);
  const { sent } = current();
  for (const [topic, count] of byTopic) {
    sent.add(count, { 'messaging.system': 'parley', 'messaging.destination.name': topic });
    events.emit('messages:sent', { topic, messages: count });
  }
}

/** Records how long a consumer's batch commit took. */
export function recordCommit(consumer: string, source: string, seconds: number): void {
  current().commitDuration.record(seconds, {
    'messaging.system': 'parley',
    'messaging.destination.name': source,
    'messaging.consumer.group.name': consumer,
  });
}

/** Records one handler attempt: its duration, and the error's name when it failed. */
export function recordProcessed(
  source: string,
  consumer: string,
  seconds: number,
  error: Error | undefined,
): void {
  const attributes: Attributes = {
    'messaging.system': 'parley',
    'messaging.destination.name': source,
    'messaging.consumer.group.name': consumer,
    ...(error === undefined ? {} : { 'error.type': error.name }),
  };
  const { consumed, duration } = current();
  consumed.add(1, attributes);
  duration.record(seconds, attributes);
}

/** Counts a dead letter as it is written. */
export function recordDeadLettered(consumer: string, source: string, status: string): void {
  current().deadLettered.add(1, {
    'messaging.system': 'parley',
    'messaging.destination.name': source,
    'messaging.consumer.group.name': consumer,
    'parley.dead_letter.status': status,
  });
}

/** Counts a failed handler attempt, and its retry when one follows. */
export function recordFailed(
  consumer: string,
  source: string,
  error: Error,
  retry: 'immediate' | 'delayed' | null,
): void {
  const attributes: Attributes = {
    'messaging.system': 'parley',
    'messaging.destination.name': source,
    'messaging.consumer.group.name': consumer,
  };
  const { failures, retries } = current();
  failures.add(1, { ...attributes, 'error.type': error.name });
  if (retry !== null) retries.add(1, { ...attributes, 'parley.retry.kind': retry });
}
