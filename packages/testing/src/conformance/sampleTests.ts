import { createAdmin, newMessageId, partitionFor, type ConsumerSample } from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { numbers } from './fixtures.ts';
import { useHarness } from './harness.ts';

const MINUTE = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MINUTE);

function sample(fields: Partial<ConsumerSample> & Pick<ConsumerSample, 'at'>): ConsumerSample {
  return {
    consumer: 'charger',
    source: 'orders',
    partition: 0,
    intervalMs: 10_000,
    processed: 1,
    lag: 0,
    lagSeconds: 0,
    ...fields,
  };
}

/** Consumer samples: written outside commits, merged per interval, pruned by age, shared by connections. */
export function sampleTests(target: ConformanceTarget): void {
  describe('consumer samples', () => {
    const h = useHarness(target);

    it('keeps samples and lists them by consumer, source, time and partition, from a given time', async () => {
      const { store } = await h.open(await h.environment());
      await store.recordSamples(
        [
          sample({ at: T0 + 10_000, partition: 1, processed: 3, lag: 7, lagSeconds: 1.5 }),
          sample({ at: T0, partition: 1, processed: 2 }),
          sample({ at: T0, partition: 0, processed: 5 }),
          sample({ consumer: 'archiver', source: 'entity:wallet', at: T0, processed: 9 }),
          sample({ source: 'entity:show', at: T0, processed: 4 }),
        ],
        T0 - MINUTE,
      );
      const all = await store.listSamples({ since: 0 });
      expect(all.map((s) => [s.consumer, s.source, s.at - T0, s.partition, s.processed])).toEqual([
        ['archiver', 'entity:wallet', 0, 0, 9],
        ['charger', 'entity:show', 0, 0, 4],
        ['charger', 'orders', 0, 0, 5],
        ['charger', 'orders', 0, 1, 2],
        ['charger', 'orders', 10_000, 1, 3],
      ]);
      expect(all.at(-1)).toEqual(
        sample({ at: T0 + 10_000, partition: 1, processed: 3, lag: 7, lagSeconds: 1.5 }),
      );
      expect(await store.listSamples({ since: T0 + 1, consumer: 'charger' })).toHaveLength(1);
      expect(await store.listSamples({ since: 0, consumer: 'archiver' })).toHaveLength(1);
      expect(await store.listSamples({ since: 0, consumer: 'nobody' })).toEqual([]);
    });

    it('adds up what two writes of one interval processed, and keeps the lag of the last', async () => {
      const env = await h.environment();
      const one = await h.open(env);
      await one.store.recordSamples([sample({ at: T0, processed: 4, lag: 10, lagSeconds: 3 })], 0);
      // Another process (an instance that took the partition over) writes the same interval.
      const two = await h.open(env);
      await two.store.recordSamples(
        [
          sample({ at: T0, processed: 6, lag: 2, lagSeconds: 0.25 }),
          sample({ at: T0, processed: 1, lag: 1, lagSeconds: 0.5 }),
        ],
        0,
      );
      expect(await one.store.listSamples({ since: 0 })).toEqual([
        sample({ at: T0, processed: 11, lag: 1, lagSeconds: 0.5 }),
      ]);
    });

    it('drops the samples of every consumer older than the bound a write gives', async () => {
      const { store } = await h.open(await h.environment());
      await store.recordSamples(
        [
          sample({ at: T0 }),
          sample({ consumer: 'archiver', at: T0 + MINUTE }),
          sample({ at: T0 + 2 * MINUTE }),
        ],
        0,
      );
      await store.recordSamples([sample({ at: T0 + 3 * MINUTE })], T0 + 2 * MINUTE);
      expect((await store.listSamples({ since: 0 })).map((s) => (s.at - T0) / MINUTE)).toEqual([2, 3]);
      // A sample older than the bound is not kept either.
      await store.recordSamples([sample({ consumer: 'late', at: T0 })], T0 + 2 * MINUTE);
      expect(await store.listSamples({ since: 0, consumer: 'late' })).toEqual([]);
    });

    it("a consumer's samples count every message it handled, in the partitions they came from", async () => {
      const conn = await h.open(await h.environment());
      const service = h.service(conn, 'counter').consumer({
        name: 'number-counter',
        source: numbers,
        handle: () => {},
      });
      await service.start();
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      await service.publish(
        numbers,
        keys.flatMap((key) => [1, 2, 3].map((seq) => ({ type: 'Numbered', key, payload: { key, seq } }))),
      );
      await service.whenIdle();
      await service.stop();
      const samples = await conn.store.listSamples({ since: 0, consumer: 'number-counter' });
      expect(samples.reduce((sum, s) => sum + s.processed, 0)).toBe(keys.length * 3);
      expect(new Set(samples.map((s) => s.partition)).size).toBe(numbers.partitions);
      expect(samples.every((s) => s.source === numbers.name && s.lag === 0 && s.lagSeconds === 0)).toBe(true);
      expect(samples.every((s) => s.at % s.intervalMs === 0)).toBe(true);
    });

    it("a paused consumer's samples show its lag in messages and seconds", async () => {
      const conn = await h.open(await h.environment());
      await createAdmin({ store: conn.store, bus: conn.bus }).consumers.pause('number-counter', {
        by: 'test',
      });
      const service = h.service(conn, 'counter').consumer({
        name: 'number-counter',
        source: numbers,
        handle: () => {},
      });
      await service.start();
      // Produced two minutes ago: the lag in seconds starts there.
      const produced = Date.now() - 120_000;
      await conn.bus.publish(
        [1, 2, 3, 4, 5].map((seq) => ({
          topic: numbers.name,
          partition: partitionFor('a', numbers.partitions),
          id: newMessageId(),
          type: 'Numbered',
          key: 'a',
          payload: JSON.stringify({ key: 'a', seq }),
          headers: {},
          occurredAt: new Date(produced + seq).toISOString(),
        })),
      );
      await service.whenIdle();
      await service.stop();
      const samples = await conn.store.listSamples({ since: 0, consumer: 'number-counter' });
      expect(samples.reduce((sum, s) => sum + s.lag, 0)).toBe(5);
      expect(samples.reduce((sum, s) => sum + s.processed, 0)).toBe(0);
      const behind = samples.find((s) => s.lag > 0);
      expect(behind?.lagSeconds).toBeGreaterThanOrEqual(120);
      expect(behind?.lagSeconds).toBeLessThanOrEqual((Date.now() - produced) / 1000);
    });

    it('refuses a malformed sample, writing nothing', async () => {
      const { store } = await h.open(await h.environment());
      for (const bad of [
        sample({ at: T0, processed: -1 }),
        sample({ at: T0, partition: 0.5 }),
        sample({ at: T0, intervalMs: 0 }),
        sample({ at: T0, lagSeconds: Number.NaN }),
      ]) {
        await expect(store.recordSamples([sample({ at: T0 + MINUTE }), bad], 0)).rejects.toThrow(
          /not a valid sample/,
        );
      }
      expect(await store.listSamples({ since: 0 })).toEqual([]);
    });
  });
}
