import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { createService, defineTopic, silentLogger, whenAllIdle } from '@parley/core';
import { waitUntil } from '@parley/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSqliteBus } from './createSqliteBus.ts';
import { createSqliteStore } from './createSqliteStore.ts';

const orders = defineTopic({
  name: 'trace-orders',
  partitions: 2,
  messages: { OrderPlaced: z.object({ orderId: z.string() }) },
});
const shipments = defineTopic({
  name: 'trace-shipments',
  partitions: 2,
  messages: { ShipmentRequested: z.object({ orderId: z.string() }) },
});
const reminders = defineTopic({
  name: 'trace-reminders',
  partitions: 1,
  messages: { Remind: z.object({ orderId: z.string() }) },
});

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

describe('traces across topics, schedules and retries (OpenTelemetry)', () => {
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('one trace from publish to the last consumer; later handlings start linked traces', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tracing-'));
    const url = `sqlite:${path.join(dir, 'app.db')}`;
    const bus = createSqliteBus(url, { logger: silentLogger });
    const store = createSqliteStore(url, { bus, logger: silentLogger });
    const tries = new Map<string, number>();
    const service = createService({ name: 'shop', store, bus, logger: silentLogger })
      .consumer({
        name: 'order-desk',
        source: orders,
        retry: { immediateRetries: 0, initialInterval: 20, maxInterval: 20, delayedRetries: 3 },
        handle: async ({ key, payload }, ctx) => {
          const n = (tries.get(key) ?? 0) + 1;
          tries.set(key, n);
          if (key === 'flaky' && n === 1) throw new Error('warehouse busy');
          await ctx.publish(shipments, { type: 'ShipmentRequested', key, payload });
          if (key === 'o-1') await ctx.schedule(reminders, { type: 'Remind', key, payload }, { after: 30 });
        },
      })
      .consumer({ name: 'shipping', source: shipments, handle: () => undefined })
      .consumer({ name: 'reminding', source: reminders, handle: () => undefined });
    try {
      await service.start();
      await service.publish(orders, { type: 'OrderPlaced', key: 'o-1', payload: { orderId: 'o-1' } });
      await service.publish(orders, { type: 'OrderPlaced', key: 'flaky', payload: { orderId: 'flaky' } });
      await waitUntil(
        () => exporter.getFinishedSpans().filter((s) => s.name === 'process trace-reminders').length > 0,
      );
      await waitUntil(() => (tries.get('flaky') ?? 0) >= 2);
      await whenAllIdle([service]);
    } finally {
      await service.stop();
      await store.close();
      await bus.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }

    const spans = exporter.getFinishedSpans();
    const of = (name: string, key: string) =>
      spans.filter((s) => s.name === name && s.attributes['parley.message.key'] === key);
    const sendOf = (key: string) =>
      spans.find(
        (s) =>
          s.name === 'send trace-orders' &&
          spans.some(
            (p) =>
              p.parentSpanContext?.spanId === s.spanContext().spanId &&
              p.attributes['parley.message.key'] === key,
          ),
      );
    const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

    // publish → order-desk → shipping: one trace, each span the child of the one before.
    const send = sendOf('o-1');
    const [desk] = of('process trace-orders', 'o-1');
    const [ship] = of('process trace-shipments', 'o-1');
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(desk?.kind).toBe(SpanKind.CONSUMER);
    expect(desk?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(desk?.parentSpanContext?.spanId).toBe(idOf(send));
    expect(ship?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(ship?.parentSpanContext?.spanId).toBe(idOf(desk));
    expect(desk?.attributes).toMatchObject({
      'messaging.system': 'parley',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'trace-orders',
      'messaging.consumer.group.name': 'order-desk',
      'parley.attempt': 1,
    });

    // The scheduled reminder is handled later: a trace of its own, linked to the handling that scheduled it.
    const [remind] = of('process trace-reminders', 'o-1');
    expect(remind?.spanContext().traceId).not.toBe(send?.spanContext().traceId);
    expect(remind?.parentSpanContext).toBeUndefined();
    expect(remind?.links.map((l) => l.context.spanId)).toEqual([idOf(desk)]);

    // The failed attempt is an error in the publish's trace; its delayed retry starts a linked trace.
    const flakySend = sendOf('flaky');
    const attempts = of('process trace-orders', 'flaky');
    expect(attempts.map((s) => s.attributes['parley.attempt'])).toEqual([1, 2]);
    expect(attempts[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts[0]?.spanContext().traceId).toBe(flakySend?.spanContext().traceId);
    expect(attempts[1]?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(attempts[1]?.spanContext().traceId).not.toBe(flakySend?.spanContext().traceId);
    expect(attempts[1]?.links.map((l) => l.context.spanId)).toEqual([idOf(flakySend)]);
  });
});
