import { describe, expect, it } from 'vitest';
import { openBackend } from '../backends.ts';
import { benchAccount } from '../benchModel.ts';
import { endToEnd } from './endToEnd.ts';

describe('endToEnd scenario (SQLite)', () => {
  it('counts only healthy messages, parks the poisoned keys and records one event per healthy message', async () => {
    const backend = await openBackend('sqlite');
    try {
      const result = await endToEnd(backend, {
        count: 400,
        keys: 20,
        concurrency: 8,
        poisonKeys: new Set(['account-3']),
      });
      expect(result.count).toBe(400);
      expect(result.healthy).toBe(380);
      expect(result.parked).toBeGreaterThanOrEqual(1);
      expect(result.messagesPerSecond).toBeGreaterThan(0);
      expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.p99);
      expect(result.latencyMs.p99).toBeLessThanOrEqual(result.latencyMs.p999);
      const events = await backend.store.readEvents(benchAccount.name, 0, 1000);
      expect(events).toHaveLength(380);
      expect(events.some((event) => event.entityId === 'account-3')).toBe(false);
    } finally {
      await backend.close();
    }
  });

  it('drains a backlog published before the consumer starts', async () => {
    const backend = await openBackend('sqlite');
    try {
      const result = await endToEnd(backend, { count: 300, keys: 10, concurrency: 4, backlog: true });
      expect(result.backlog).toBe(true);
      expect(result.healthy).toBe(300);
      expect(await backend.store.readEvents(benchAccount.name, 0, 1000)).toHaveLength(300);
    } finally {
      await backend.close();
    }
  });

  it('with no work, commits the checkpoints and writes no event', async () => {
    const backend = await openBackend('sqlite');
    try {
      const result = await endToEnd(backend, { count: 200, keys: 10, concurrency: 4, work: 'none' });
      expect(result.healthy).toBe(200);
      expect(await backend.store.readEvents(benchAccount.name, 0, 10)).toEqual([]);
    } finally {
      await backend.close();
    }
  });
});
