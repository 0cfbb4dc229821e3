import type { Admin, OutboxEntry, WorkflowRunSummary } from '@parley/core';
import { Gauge, Registry } from 'prom-client';
import { oldestAgeSeconds, parkedSince } from '../consumers/parkedAges.ts';

const PAGE = 1000;
// OpenTelemetry's messaging attributes (messaging.consumer.group.name, messaging.destination.name) as labels.
const GROUP = 'messaging_consumer_group_name';
const DESTINATION = 'messaging_destination_name';

/**
 * Prometheus metrics read from the admin API when scraped, in a registry of their own. OpenTelemetry's messaging
 * conventions name attributes but no gauges of this kind, so the names carry the `parley_` prefix and the
 * consumer and its source are labelled with the OpenTelemetry attribute names.
 */
export class ConsoleMetrics {
  readonly registry = new Registry();
  readonly #deadLetters = this.#gauge('parley_dead_letters', 'Dead letters by consumer and status.', [
    GROUP,
    'status',
  ]);
  readonly #parkedKeys = this.#gauge('parley_parked_keys', 'Keys blocked behind a parked message.', [
    GROUP,
    DESTINATION,
  ]);
  readonly #parkedAge = this.#gauge(
    'parley_parked_key_oldest_age_seconds',
    'Age of the oldest parked key (since its blocking message first failed).',
    [GROUP, DESTINATION],
  );
  readonly #lag = this.#gauge('parley_consumer_lag_messages', 'Messages of the source not handled yet.', [
    GROUP,
    DESTINATION,
  ]);
  readonly #lagSeconds = this.#gauge(
    'parley_consumer_lag_seconds',
    'Age of the oldest message of the source not handled yet (0 when none waits).',
    [GROUP, DESTINATION],
  );
  readonly #throughput = this.#gauge(
    'parley_consumer_throughput_messages_per_second',
    'Messages committed per second in the last sampling interval the consumers wrote (over every instance).',
    [GROUP, DESTINATION],
  );
  readonly #paused = this.#gauge('parley_consumer_paused', '1 when the consumer is paused.', [
    GROUP,
    DESTINATION,
  ]);
  readonly #outboxBacklog = this.#gauge(
    'parley_outbox_backlog_messages',
    'Outbox messages waiting for the relay.',
    [],
  );
  readonly #outboxFailed = this.#gauge(
    'parley_outbox_failed_messages',
    'Outbox messages the bus refused, set aside.',
    [],
  );
  readonly #runs = this.#gauge('parley_workflow_runs', 'Workflow runs by workflow and status.', [
    'workflow',
    'status',
  ]);
  #scrape: Promise<string> | undefined;

  /** `also`: registries served with these, e.g. the `serviceMetrics` of the services this process runs. */
  constructor(
    private readonly admin: Admin,
    private readonly also: ReadonlyArray<Registry> = [],
  ) {}

  /** The metrics in Prometheus text format; scrapes arriving during one share it. */
  text(): Promise<string> {
    this.#scrape ??= this.#collect().finally(() => (this.#scrape = undefined));
    return this.#scrape;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  async #collect(): Promise<string> {
    const [consumers, since, pending, failed, runs, history] = await Promise.all([
      this.admin.consumers.list(),
      parkedSince(this.admin),
      countOutbox(this.admin, 'pending'),
      countOutbox(this.admin, 'failed'),
      allRuns(this.admin),
      this.admin.consumers.history(),
    ]);
    const now = Date.now();
    this.registry.resetMetrics();
    const counted = new Set<string>();
    for (const c of consumers) {
      const labels = { [GROUP]: c.name, [DESTINATION]: c.source };
      // A consumer reading several sources is listed once per source, its dead letters with each: count once.
      if (!counted.has(c.name)) {
        counted.add(c.name);
        for (const [status, n] of Object.entries(c.deadLetters))
          this.#deadLetters.set({ [GROUP]: c.name, status }, n);
      }
      this.#parkedKeys.set(labels, c.parkedKeys.length);
      this.#parkedAge.set(labels, oldestAgeSeconds(since, c.name, c.parkedKeys, now) ?? 0);
      if (c.lag !== null) this.#lag.set(labels, c.lag);
      if (c.lagSeconds !== null) this.#lagSeconds.set(labels, c.lagSeconds);
      this.#paused.set(labels, c.status === 'paused' ? 1 : 0);
    }
    for (const h of history) {
      const last = h.points.at(-1);
      if (last !== undefined)
        this.#throughput.set({ [GROUP]: h.consumer, [DESTINATION]: h.source }, last.perSecond);
    }
    this.#outboxBacklog.set(pending);
    this.#outboxFailed.set(failed);
    const byRun = new Map<string, { workflow: string; status: string; n: number }>();
    for (const r of runs) {
      const id = `${r.workflow}\u0000${r.status}`;
      const entry = byRun.get(id) ?? { workflow: r.workflow, status: r.status, n: 0 };
      entry.n++;
      byRun.set(id, entry);
    }
    for (const { workflow, status, n } of byRun.values()) this.#runs.set({ workflow, status }, n);
    // Merged at each scrape (a cheap view over the same metric objects), so a metric added later shows too.
    return this.also.length === 0
      ? this.registry.metrics()
      : Registry.merge([this.registry, ...this.also]).metrics();
  }
}

async function countOutbox(admin: Admin, status: OutboxEntry['status']): Promise<number> {
  let count = 0;
  let after: number | undefined;
  for (;;) {
    const page = await admin.outbox.list({ status, limit: PAGE, ...(after === undefined ? {} : { after }) });
    count += page.length;
    if (page.length < PAGE) return count;
    after = page[page.length - 1]?.seq;
  }
}

async function allRuns(admin: Admin): Promise<WorkflowRunSummary[]> {
  const runs: WorkflowRunSummary[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await admin.workflows.list({ limit: PAGE, ...(after === undefined ? {} : { after }) });
    runs.push(...page);
    if (page.length < PAGE) return runs;
    const last = page[page.length - 1];
    after = last === undefined ? undefined : `${last.workflow}/${last.runId}`;
  }
}
