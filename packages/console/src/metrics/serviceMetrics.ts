import type { Service } from '@parley/core';
import { Counter, Histogram, Registry } from 'prom-client';

// OpenTelemetry's messaging attributes as labels, as the console's store-based metrics name them.
const GROUP = 'messaging_consumer_group_name';
const DESTINATION = 'messaging_destination_name';
const ERROR_TYPE = 'error_type';
/** The bucket boundaries OpenTelemetry's messaging conventions advise for `messaging.process.duration`. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** What {@link serviceMetrics} needs of a service: its lifecycle events. */
export type MeteredService = Pick<Service, 'on'>;

export interface ServiceMetricsOptions {
  /**
   * The registry to register the counters and histograms in, e.g. one that holds your own metrics too. Each name
   * can be registered once per registry: meter every service of the process with one call.
   * @default a new Registry
   */
  registry?: Registry;
}

/** The Prometheus metrics of a process's services. */
export interface ServiceMetrics {
  /** Holds the metrics: `await registry.metrics()` is the text to serve, with `registry.contentType`. */
  readonly registry: Registry;
  /** Stops listening to the services (the counters keep their values). */
  close(): void;
}

/**
 * Prometheus counters and histograms of what this process's services do — messages sent, handler attempts, their
 * failures and retries, how long handlers and commits take, dead letters written, the outbox relay — fed by the services'
 * lifecycle events. They are the per-process figures the console's store-based `/metrics` cannot know, named as
 * the OpenTelemetry metrics of `@parley/core` are once converted to Prometheus (`messaging.process.duration` →
 * `messaging_process_duration_seconds`). `createConsole(admin, { services })` serves them on its `/metrics`; a
 * process without a console serves `registry.metrics()` on an endpoint of its own.
 *
 * @example
 * const metrics = serviceMetrics([show, wallet]);
 * app.get('/metrics', async (c) =>
 *   c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
 * );
 */
export function serviceMetrics(
  services: ReadonlyArray<MeteredService>,
  options: ServiceMetricsOptions = {},
): ServiceMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[]) => {
    refuseTaken(registry, name);
    return new Counter({ name, help, labelNames, registers });
  };
  const histogram = (name: string, help: string, labelNames: string[]) => {
    refuseTaken(registry, name);
    return new Histogram({ name, help, labelNames, buckets: DURATION_BUCKETS, registers });
  };
  const sent = counter(
    'messaging_client_sent_messages_total',
    'Messages committed for sending: published, or written by handlers, commands, workflows and timers.',
    [DESTINATION],
  );
  const consumed = counter(
    'messaging_client_consumed_messages_total',
    'Messages handed to a handler, each attempt (error_type when it threw).',
    [GROUP, DESTINATION, ERROR_TYPE],
  );
  const duration = histogram(
    'messaging_process_duration_seconds',
    'How long a handler attempt took (error_type when it threw).',
    [GROUP, DESTINATION, ERROR_TYPE],
  );
  const failures = counter('parley_handler_failures_total', 'Handler attempts that threw.', [
    GROUP,
    DESTINATION,
    ERROR_TYPE,
  ]);
  const retries = counter(
    'parley_retries_total',
    'Failed messages tried again: kind "immediate" (in process) or "delayed" (through a durable timer).',
    [GROUP, DESTINATION, 'kind'],
  );
  const committed = counter(
    'parley_consumer_committed_messages_total',
    "Messages of a consumer's source committed as handled.",
    [GROUP, DESTINATION],
  );
  const commitDuration = histogram(
    'parley_consumer_commit_duration_seconds',
    "How long a consumer's commit of handled messages took.",
    [GROUP, DESTINATION],
  );
  const deadLettered = counter(
    'parley_dead_letters_created_total',
    'Messages dead-lettered, by status (parked, skipped, escalated).',
    [GROUP, DESTINATION, 'status'],
  );
  const relayed = counter(
    'parley_outbox_relayed_messages_total',
    'Outbox messages the relay published to the bus.',
    [],
  );
  const relayFailures = counter(
    'parley_outbox_relay_failures_total',
    'Relay passes that could not send (set_aside="true" when the bus refused messages that were set aside).',
    ['set_aside'],
  );

  const unsubscribe = services.flatMap((service) => [
    service.on('messages:sent', (e) => sent.inc({ [DESTINATION]: e.topic }, e.messages)),
    service.on('consumer:processed', (e) => {
      const labels = {
        [GROUP]: e.consumer,
        [DESTINATION]: e.source,
        ...(e.error === undefined ? {} : { [ERROR_TYPE]: e.error.name }),
      };
      consumed.inc(labels);
      duration.observe(labels, e.seconds);
    }),
    service.on('consumer:failed', (e) => {
      const labels = { [GROUP]: e.consumer, [DESTINATION]: e.source };
      failures.inc({ ...labels, [ERROR_TYPE]: e.error.name });
      if (e.retry !== null) retries.inc({ ...labels, kind: e.retry });
    }),
    service.on('consumer:committed', (e) => {
      const labels = { [GROUP]: e.consumer, [DESTINATION]: e.source };
      if (e.messages > 0) committed.inc(labels, e.messages);
      commitDuration.observe(labels, e.seconds);
    }),
    service.on('consumer:dead-lettered', (e) =>
      deadLettered.inc({
        [GROUP]: e.consumer,
        [DESTINATION]: e.deadLetter.message.source,
        status: e.deadLetter.status,
      }),
    ),
    service.on('relay:published', (e) => relayed.inc(e.messages)),
    service.on('relay:failed', (e) => relayFailures.inc({ set_aside: String(e.setAside.length > 0) })),
  ]);
  return {
    registry,
    close: () => {
      for (const off of unsubscribe) off();
    },
  };
}

function refuseTaken(registry: Registry, name: string): void {
  if (registry.getSingleMetric(name) !== undefined)
    throw new Error(
      `serviceMetrics: the registry already holds ${name}; meter all of a process's services with one call`,
    );
}
