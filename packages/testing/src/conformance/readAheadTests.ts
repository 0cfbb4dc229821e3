import {
  createAdmin,
  defineTopic,
  partitionFor,
  schemaRegistry,
  type Bus,
  type LogRecord,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { useHarness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

const blobs = defineTopic({
  name: 'conformance-blobs',
  partitions: 2,
  messages: { Blob: z.object({ seq: z.number().int(), text: z.string() }) },
});

const blob = (key: string, seq: number, length: number) => ({
  type: 'Blob' as const,
  key,
  payload: { seq, text: 'x'.repeat(length) },
});

/** A bus whose reads are recorded: what each asked for and what it brought. */
function recordingBus(bus: Bus, reads: Array<{ maxBytes: number | undefined; sizes: number[] }>): Bus {
  return new Proxy(bus, {
    get(target, property) {
      if (property === 'read') {
        return async (topic: string, partition: number, after: number, limit: number, maxBytes?: number) => {
          const records: LogRecord[] = await target.read(topic, partition, after, limit, maxBytes);
          reads.push({ maxBytes, sizes: records.map((r) => r.payload.length) });
          return records;
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Reads bounded by bytes as well as by count: the bus port's budget, and the consumer's `readAheadBytes`. */
export function readAheadTests(target: ConformanceTarget): void {
  describe('read-ahead bounded by bytes', () => {
    const h = useHarness(target);

    it('stops a bus read at its byte budget, and always brings the first message, however large', async () => {
      const conn = await h.open(await h.environment());
      const publisher = h.service(conn, 'blob-publisher');
      await publisher.start();
      // Payloads of about 10 kB, one of 40 kB; a budget of 25 kB holds two of the small ones, not three.
      const lengths = [10_000, 10_000, 40_000, 10_000, 10_000];
      await publisher.publish(
        blobs,
        lengths.map((length, seq) => blob('k', seq, length)),
      );
      const partition = partitionFor('k', blobs.partitions);
      const seqs = (records: LogRecord[]) =>
        records.map((r) => (JSON.parse(r.payload) as { seq: number }).seq);
      const all = await conn.bus.read(blobs.name, partition, 0, 100);
      expect(seqs(all)).toEqual([0, 1, 2, 3, 4]);
      const at = (seq: number) => all[seq]!.position;

      expect(seqs(await conn.bus.read(blobs.name, partition, 0, 100, 25_000))).toEqual([0, 1]);
      // Larger than the whole budget: it comes alone rather than never.
      expect(seqs(await conn.bus.read(blobs.name, partition, at(1), 100, 25_000))).toEqual([2]);
      expect(seqs(await conn.bus.read(blobs.name, partition, at(2), 100, 25_000))).toEqual([3, 4]);
      expect(seqs(await conn.bus.read(blobs.name, partition, 0, 100, 5_000))).toEqual([0]);
      // The count still bounds the read when the budget would allow more.
      expect(seqs(await conn.bus.read(blobs.name, partition, 0, 1, 1_000_000))).toEqual([0]);
      expect(seqs(await conn.bus.read(blobs.name, partition, 0, 100, Number.POSITIVE_INFINITY))).toEqual([
        0, 1, 2, 3, 4,
      ]);
      await expect(conn.bus.read(blobs.name, partition, 0, 100, 0)).rejects.toThrow(/maxBytes/);
    });

    it('hands every message to a consumer whose byte budget is smaller than the messages, in order per key', async () => {
      const conn = await h.open(await h.environment());
      const reads: Array<{ maxBytes: number | undefined; sizes: number[] }> = [];
      const budget = 15_000;
      const handled = new Map<string, number[]>();
      const service = h.service({ ...conn, bus: recordingBus(conn.bus, reads) }, 'blob-reader').consumer({
        name: 'blob-reader',
        source: blobs,
        readAheadBytes: budget,
        handle: (m) => {
          handled.set(m.key, [...(handled.get(m.key) ?? []), m.payload.seq]);
        },
      });
      const keys = ['a', 'b', 'c'];
      const count = 30;
      // Published before the consumer starts: a backlog, where an unbounded read would take everything at once.
      await service.publish(
        blobs,
        Array.from({ length: count }, (_, seq) => blob(keys[seq % 3]!, seq, seq % 4 === 0 ? 40_000 : 5_000)),
      );
      await service.start();
      await waitUntil(() => [...handled.values()].flat().length === count, {
        what: 'every message handled',
      });
      for (const [index, key] of keys.entries()) {
        const expected = Array.from({ length: count }, (_, seq) => seq).filter((seq) => seq % 3 === index);
        expect(handled.get(key)).toEqual(expected);
      }
      // The consumer asked every read to stay within what was left of its budget; each read did, or brought one.
      const asked = reads.filter((r) => r.sizes.length > 0);
      expect(asked.length).toBeGreaterThan(1);
      for (const read of asked) {
        expect(read.maxBytes).toBeDefined();
        expect(read.maxBytes!).toBeLessThanOrEqual(budget);
        if (read.sizes.length > 1)
          expect(read.sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(read.maxBytes!);
      }
    });

    it('drains a parked queue of messages larger than the budget, in order, once its head is redriven', async () => {
      const conn = await h.open(await h.environment());
      let failing = true;
      const handled: number[] = [];
      const service = h.service(conn, 'blob-parker').consumer({
        name: 'blob-parker',
        source: blobs,
        readAheadBytes: 15_000,
        retry: { immediateRetries: 0, delayedRetries: 0 },
        stormGuard: false,
        handle: (m) => {
          if (m.payload.seq === 0 && failing) throw new Error('the head fails until fixed');
          handled.push(m.payload.seq);
        },
      });
      await service.start();
      await service.publish(
        blobs,
        Array.from({ length: 8 }, (_, seq) => blob('p', seq, 20_000)),
      );
      const admin = createAdmin({
        store: conn.store,
        bus: conn.bus,
        schemas: schemaRegistry({ topics: [blobs] }),
      });
      // Some stores keep the head in the queue too.
      await waitUntil(
        async () => (await conn.store.readParked('blob-parker', blobs.name, 'p', 0, 100)).length >= 7,
        { what: 'the seven messages behind the head to park' },
      );
      expect(handled).toEqual([]);
      // The store's parked reads keep to a budget the same way the bus does.
      expect(await conn.store.readParked('blob-parker', blobs.name, 'p', 0, 100, 50_000)).toHaveLength(2);
      expect(await conn.store.readParked('blob-parker', blobs.name, 'p', 0, 100, 1_000)).toHaveLength(1);
      failing = false;
      const [head] = await admin.deadLetters.list({ consumer: 'blob-parker' });
      await admin.deadLetters.redrive(head!.id, { by: 'test' });
      await waitUntil(() => handled.length === 8, { what: 'the queue to drain' });
      expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });
  });
}
