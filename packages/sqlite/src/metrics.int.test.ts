import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { createService, defineTopic, silentLogger, whenAllIdle } from '@parley/core';
import { waitUntil } from '@parley/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSqliteBus } from './createSqliteBus.ts';
import { createSqliteStore } from './createSqliteStore.ts';

const orders = defineTopic({
  name: 'metric-orders',
  partitions: 2,
  messages: { OrderPlaced: z.object({ orderId: z.string() }) },
});

/** Collects on demand: the test reads the instruments when it wants to. */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('metrics through OpenTelemetry', () => {
  const reader = new OnDemandReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  afterAll(() => metrics.disable());

  it('counts what is sent (published, or fired by a timer) and handled, times attempts and commits, and counts dead letters by status', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-metrics-'));
    const url = `sqlite:${path.join(dir, 'app.db')}`;
    const bus = createSqliteBus(url, { logger: silentLogger });
    const store = createSqliteStore(url, { bus, logger: silentLogger });
    const service = createService({ name: 'shop', store, bus, logger: silentLogger }).consumer({
      name: 'order-desk',
      source: orders,
      retry: { immediateRetries: 0, delayedRetries: 0 },
      handle: ({ key }) => {
        if (key === 'bad') throw new TypeError('no such warehouse');
      },
    });
    const sentEvents: string[] = [];
    service.on('messages:sent', (e) => sentEvents.push(`${e.topic}:${e.messages}`));
    try {
      await service.start();
      await service.publish(
        orders,
        ['a', 'b', 'bad'].map((key) => ({ type: 'OrderPlaced' as const, key, payload: { orderId: key } })),
      );
      // A scheduled message is sent when its timer fires, not when it is scheduled.
      await service.schedule(
        orders,
        { type: 'OrderPlaced', key: 'later', payload: { orderId: 'later' } },
        { after: 1 },
      );
      await waitUntil(async () => (await store.listDeadLetters()).length === 1);
      await waitUntil(() => sentEvents.length === 2);
      await whenAllIdle([service]);
    } finally {
      await service.stop();
      await store.close();
      await bus.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }

    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const points = (name: string) => all.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
    const sum = (name: string, where: Record<string, unknown> = {}) =>
      (points(name) as Array<DataPoint<number>>)
        .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
        .reduce((n, p) => n + p.value, 0);

    expect(sentEvents).toEqual(['metric-orders:3', 'metric-orders:1']);
    expect(sum('messaging.client.sent.messages', { 'messaging.destination.name': 'metric-orders' })).toBe(4);
    expect(sum('messaging.client.consumed.messages', { 'messaging.consumer.group.name': 'order-desk' })).toBe(
      4,
    );
    expect(sum('messaging.client.consumed.messages', { 'error.type': 'TypeError' })).toBe(1);
    const durations = points('messaging.process.duration') as Array<DataPoint<Histogram>>;
    expect(durations.reduce((n, p) => n + p.value.count, 0)).toBe(4);
    expect(sum('parley.dead_letters.created', { 'parley.dead_letter.status': 'parked' })).toBe(1);
    expect(sum('parley.handler.failures', { 'error.type': 'TypeError' })).toBe(1);
    expect(sum('parley.retries')).toBe(0); // no retries in this policy
    const commits = points('parley.consumer.commit.duration') as Array<DataPoint<Histogram>>;
    expect(commits.reduce((n, p) => n + p.value.count, 0)).toBeGreaterThan(0);
  });
});
