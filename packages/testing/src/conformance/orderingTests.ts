import { describe, expect, it } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { numbers, progress } from './fixtures.ts';
import { useHarness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

/** Per-key order, concurrency across keys, and isolation of slow keys. */
export function orderingTests(target: ConformanceTarget): void {
  describe.runIf(target.features.orderedPerKey)('ordering', () => {
    const h = useHarness(target);

    it('handles every message of a key in publish order while keys run concurrently', async () => {
      const env = await h.environment();
      const conn = await h.open(env);
      const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
      const perKey = 25;
      const seen = new Map<string, number[]>();
      let running = 0;
      let maxRunning = 0;
      const service = h.service(conn, 'ordering').consumer({
        name: 'ordering-check',
        source: numbers,
        concurrency: 8,
        handle: async (message, ctx) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          const list = seen.get(message.key) ?? [];
          list.push(message.payload.seq);
          seen.set(message.key, list);
          if (message.payload.seq % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          const doc = (await ctx.readModel(progress).get(message.key)) ?? {
            key: message.key,
            last: -1,
            count: 0,
          };
          await ctx
            .readModel(progress)
            .set(message.key, { key: message.key, last: message.payload.seq, count: doc.count + 1 });
          running--;
        },
      });
      await service.start();
      const batch = [];
      for (let seq = 0; seq < perKey; seq++) {
        for (const key of keys) batch.push({ type: 'Numbered' as const, key, payload: { key, seq } });
      }
      await service.publish(numbers, batch);
      await waitUntil(
        async () =>
          (await service.query(progress).find({ where: { last: perKey - 1 }, limit: 1000 })).length ===
          keys.length,
        { what: 'every key to reach its last message' },
      );
      for (const key of keys) {
        expect(seen.get(key)).toEqual(Array.from({ length: perKey }, (_, i) => i));
        expect(await service.query(progress).get(key)).toEqual({ key, last: perKey - 1, count: perKey });
      }
      expect(maxRunning).toBeGreaterThan(1);
      expect(maxRunning).toBeLessThanOrEqual(8);
    });

    it('keeps other keys flowing while one key is slow', async () => {
      const env = await h.environment();
      const conn = await h.open(env);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const order: string[] = [];
      const service = h.service(conn, 'slow').consumer({
        name: 'slow-check',
        source: numbers,
        handle: async (message, ctx) => {
          if (message.key === 'slow' && message.payload.seq === 0) await gate;
          order.push(`${message.key}:${message.payload.seq}`);
          const doc = (await ctx.readModel(progress).get(message.key)) ?? {
            key: message.key,
            last: -1,
            count: 0,
          };
          await ctx
            .readModel(progress)
            .set(message.key, { key: message.key, last: message.payload.seq, count: doc.count + 1 });
        },
      });
      await service.start();
      await service.publish(numbers, [
        { type: 'Numbered', key: 'slow', payload: { key: 'slow', seq: 0 } },
        { type: 'Numbered', key: 'slow', payload: { key: 'slow', seq: 1 } },
        ...Array.from({ length: 100 }, (_, i) => ({
          type: 'Numbered' as const,
          key: `fast-${i}`,
          payload: { key: `fast-${i}`, seq: 0 },
        })),
      ]);
      await waitUntil(
        async () => (await service.query(progress).find({ where: { last: 0 }, limit: 1000 })).length === 100,
        { what: 'the fast keys' },
      );
      expect(await service.query(progress).get('slow')).toBeUndefined();
      release();
      await waitUntil(async () => (await service.query(progress).get('slow'))?.last === 1, {
        what: 'the slow key',
      });
      expect(order.filter((entry) => entry.startsWith('slow:'))).toEqual(['slow:0', 'slow:1']);
    });
  });
}
