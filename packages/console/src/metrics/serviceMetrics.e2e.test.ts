import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createAdmin,
  createService,
  defineTopic,
  silentLogger,
  whenAllIdle,
  type Service,
  type Store,
} from '@parley/core';
import { createSqliteBus, createSqliteStore } from '@parley/sqlite';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createConsole } from '../createConsole.ts';
import { serveConsole, type ServedConsole } from '../serveConsole.ts';
import { serviceMetrics } from './serviceMetrics.ts';

const orders = defineTopic({
  name: 'metered-orders',
  partitions: 2,
  messages: { OrderPlaced: z.object({ orderId: z.string() }) },
});
const TOKEN = { label: 'prometheus', secret: 'scrape-secret-0123', role: 'read' } as const;

/** One sample's value from Prometheus text: the line of `name` whose labels include all of `labels`. */
function samples(text: string, name: string, labels: Record<string, string> = {}): number[] {
  const found: number[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = new Map<string, string>();
    for (const [, label = '', value = ''] of (match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g))
      have.set(label, value);
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) found.push(Number(match[3]));
  }
  return found;
}
const total = (text: string, name: string, labels: Record<string, string> = {}) =>
  samples(text, name, labels).reduce((a, b) => a + b, 0);

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the metrics of the services a process runs, in Prometheus format', () => {
  let dir: string;
  let store: Store;
  let billingStore: Store;
  let bus: ReturnType<typeof createSqliteBus>;
  let desk: Service;
  let billing: Service;
  let served: ServedConsole;
  let alone: ReturnType<typeof serviceMetrics>;
  let text: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-service-metrics-'));
    // Each service has its store, the bus a database of its own: what they publish goes through an outbox.
    bus = createSqliteBus(`sqlite:${path.join(dir, 'bus.db')}`, { logger: silentLogger });
    store = createSqliteStore(`sqlite:${path.join(dir, 'shop.db')}`, { bus, logger: silentLogger });
    billingStore = createSqliteStore(`sqlite:${path.join(dir, 'billing.db')}`, { bus, logger: silentLogger });
    // `bad` fails every attempt: it is tried, tried again at once, then after a delay (tried and tried again at
    // once), then parked: 4 failed attempts, 2 immediate retries and 1 delayed.
    desk = createService({ name: 'shop', store, bus, logger: silentLogger }).consumer({
      name: 'order-desk',
      source: orders,
      retry: { immediateRetries: 1, immediateDelay: 1, delayedRetries: 1, initialInterval: 20, jitter: 0 },
      handle: ({ key }) => {
        if (key === 'bad') throw new TypeError('no such warehouse');
      },
    });
    billing = createService({ name: 'billing', store: billingStore, bus, logger: silentLogger }).consumer({
      name: 'invoicer',
      source: orders,
      handle: () => {},
    });
    const app = createConsole(createAdmin({ store, bus }), {
      tokens: [TOKEN],
      services: [desk, billing],
      logger: silentLogger,
    });
    served = await serveConsole(app, { port: 0 });
    alone = serviceMetrics([desk]);
    await desk.start();
    await billing.start();
    await desk.publish(
      orders,
      ['a', 'b', 'bad'].map((key) => ({ type: 'OrderPlaced' as const, key, payload: { orderId: key } })),
    );
    await until(async () => (await store.listDeadLetters({ status: 'parked' })).length === 1);
    await whenAllIdle([desk, billing]);
    const response = await fetch(`${served.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN.secret}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    text = await response.text();
  }, 60_000);

  afterAll(async () => {
    alone?.close();
    await desk?.stop();
    await billing?.stop();
    await served?.close();
    await store?.close();
    await billingStore?.close();
    await bus?.close();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  const desk_ = { messaging_consumer_group_name: 'order-desk', messaging_destination_name: 'metered-orders' };
  const invoicer = {
    messaging_consumer_group_name: 'invoicer',
    messaging_destination_name: 'metered-orders',
  };

  it('counts every handler attempt, with error_type on the failed ones, per consumer of every service', () => {
    const consumed = 'messaging_client_consumed_messages_total';
    expect(total(text, consumed, desk_)).toBe(6);
    expect(total(text, consumed, { ...desk_, error_type: 'TypeError' })).toBe(4);
    expect(total(text, consumed, invoicer)).toBe(3);
    expect(samples(text, consumed, { ...invoicer, error_type: 'TypeError' })).toEqual([]);
  });

  it('counts the messages sent, the failures and the retries, immediate and delayed, and the dead letter', () => {
    expect(total(text, 'parley_handler_failures_total', { ...desk_, error_type: 'TypeError' })).toBe(4);
    expect(total(text, 'parley_handler_failures_total', invoicer)).toBe(0);
    expect(total(text, 'parley_retries_total', { ...desk_, kind: 'immediate' })).toBe(2);
    expect(total(text, 'parley_retries_total', { ...desk_, kind: 'delayed' })).toBe(1);
    expect(total(text, 'parley_dead_letters_created_total', { ...desk_, status: 'parked' })).toBe(1);
    expect(total(text, 'parley_consumer_committed_messages_total', desk_)).toBe(3);
    expect(total(text, 'parley_consumer_committed_messages_total', invoicer)).toBe(3);
    expect(total(text, 'parley_outbox_relayed_messages_total')).toBe(3);
    // Published once to the outbox, whichever consumers read them.
    expect(
      total(text, 'messaging_client_sent_messages_total', { messaging_destination_name: 'metered-orders' }),
    ).toBe(3);
    expect(total(text, 'parley_outbox_relay_failures_total')).toBe(0);
  });

  it('times handler attempts in the buckets OpenTelemetry advises, and commits', () => {
    const failed = { ...desk_, error_type: 'TypeError' };
    const buckets = samples(text, 'messaging_process_duration_seconds_bucket', failed);
    expect(buckets).toHaveLength(15); // 14 boundaries and +Inf
    expect(
      samples(text, 'messaging_process_duration_seconds_bucket', { ...failed, le: '0.005' }),
    ).toHaveLength(1);
    expect(samples(text, 'messaging_process_duration_seconds_bucket', { ...failed, le: '+Inf' })).toEqual([
      4,
    ]);
    expect(buckets).toEqual([...buckets].sort((x, y) => x - y)); // cumulative
    expect(total(text, 'messaging_process_duration_seconds_count', failed)).toBe(4);
    expect(total(text, 'messaging_process_duration_seconds_count', invoicer)).toBe(3);
    expect(total(text, 'messaging_process_duration_seconds_sum', desk_)).toBeGreaterThan(0);
    const commits = total(text, 'parley_consumer_commit_duration_seconds_count', desk_);
    expect(commits).toBeGreaterThan(0);
    expect(samples(text, 'parley_consumer_commit_duration_seconds_bucket', { ...desk_, le: '+Inf' })).toEqual(
      [commits],
    );
  });

  it('serves them with what the store holds, on the same /metrics', () => {
    expect(total(text, 'parley_parked_keys', desk_)).toBe(1);
    expect(
      total(text, 'parley_dead_letters', { messaging_consumer_group_name: 'order-desk', status: 'parked' }),
    ).toBe(1);
    expect(text.match(/^# TYPE messaging_client_consumed_messages_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(/^# TYPE messaging_process_duration_seconds histogram$/m);
  });

  it('meters services without a console, in a registry of its own or one given, and stops on close', async () => {
    const own = await alone.registry.metrics();
    expect(total(own, 'messaging_client_consumed_messages_total', desk_)).toBe(6);
    expect(samples(own, 'messaging_client_consumed_messages_total', invoicer)).toEqual([]);
    expect(samples(own, 'parley_parked_keys')).toEqual([]);

    const registry = new Registry();
    const given = serviceMetrics([billing], { registry });
    expect(given.registry).toBe(registry);
    expect(() => serviceMetrics([desk], { registry })).toThrow(/already holds .*meter all/);
    const place = async (key: string) => {
      await desk.publish(orders, [{ type: 'OrderPlaced', key, payload: { orderId: key } }]);
      await whenAllIdle([desk, billing]);
    };
    await place('c');
    expect(total(await registry.metrics(), 'messaging_client_consumed_messages_total', invoicer)).toBe(1);
    given.close();
    await place('d');
    expect(total(await registry.metrics(), 'messaging_client_consumed_messages_total', invoicer)).toBe(1);
    expect(total(await alone.registry.metrics(), 'messaging_client_consumed_messages_total', desk_)).toBe(8);
  });
});
