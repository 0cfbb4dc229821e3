import { describe, expect, it } from 'vitest';
import { benchOrders } from '../benchModel.ts';
import { scaleOut, type ScaleOutResult } from './scaleOut.ts';

function expectSharedExactlyOnce(result: ScaleOutResult, count: number): void {
  expect(result.events).toBe(count);
  expect(result.workers).toHaveLength(2);
  // Each process handled its own share, and the shares add up to every message once.
  for (const worker of result.workers) {
    expect(worker.partitions).toHaveLength(benchOrders.partitions / 2);
    expect(worker.messages).toBeGreaterThan(0);
  }
  expect(result.workers.reduce((sum, w) => sum + w.messages, 0)).toBe(count);
  const partitions = result.workers.flatMap((w) => w.partitions).sort((a, b) => a - b);
  expect(partitions).toEqual(Array.from({ length: benchOrders.partitions }, (_, p) => p));
  expect(result.messagesPerSecond).toBeGreaterThan(0);
}

describe('scaleOut scenario (SQLite, two processes)', () => {
  it('drains a backlog with two processes sharing the partitions, each message handled once', async () => {
    const result = await scaleOut({
      engine: 'sqlite',
      processes: 2,
      count: 2000,
      keys: 100,
      concurrency: 16,
      fromSource: true,
    });
    expect(result.mode).toBe('backlog');
    expectSharedExactlyOnce(result, 2000);
    for (const worker of result.workers) expect(worker.resumeNoticedMs).toBeGreaterThanOrEqual(0);
  });

  it('consumes while the parent publishes, each message handled once', async () => {
    const result = await scaleOut({
      engine: 'sqlite',
      processes: 2,
      count: 1000,
      keys: 100,
      concurrency: 16,
      mode: 'live',
      fromSource: true,
    });
    expect(result.mode).toBe('live');
    expectSharedExactlyOnce(result, 1000);
  });
});
