import { defineTopic } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConformanceTarget, Connection } from './ConformanceTarget.ts';
import { account, numbers } from './fixtures.ts';
import { useHarness, type Harness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

const kept = defineTopic({
  name: 'conformance-kept',
  partitions: 2,
  retention: { maxMessages: 3 },
  messages: { Numbered: z.object({ seq: z.number().int() }) },
});

/** A consumer that deposits into the account named by the key; records which instance handled what. */
function instance(h: Harness, conn: Connection, name: string, handledBy: Map<string, string[]>) {
  return h
    .service(conn, 'bank', { instanceId: name, leaseTtlMs: 600 })
    .entity(account)
    .consumer({
      name: 'shared-deposits',
      source: numbers,
      handle: async (m, ctx) => {
        await ctx.execute(account, m.key, { type: 'Deposit', data: { amount: 1, seq: m.payload.seq } });
        const list = handledBy.get(name) ?? [];
        list.push(`${m.key}:${m.payload.seq}`);
        handledBy.set(name, list);
      },
    });
}

/** Several instances of one service share partitions; retention never drops what a group still needs. */
export function scaleTests(target: ConformanceTarget): void {
  describe('instances and retention', () => {
    const h = useHarness(target);

    it.runIf(target.features.multiInstance)(
      'spreads partitions over instances and hands them over when one leaves',
      async () => {
        const env = await h.environment();
        const handledBy = new Map<string, string[]>();
        const a = instance(h, await h.open(env), 'instance-a', handledBy);
        const b = instance(h, await h.open(env), 'instance-b', handledBy);
        await a.start();
        await b.start();
        const keys = Array.from({ length: 40 }, (_, i) => `acct-${i}`);
        const publish = (seq: number) =>
          a.publish(
            numbers,
            keys.map((key) => ({ type: 'Numbered' as const, key, payload: { key, seq } })),
          );
        // Let the second instance join and the leases settle before publishing.
        let rounds = 0;
        await waitUntil(
          async () => {
            rounds++;
            await publish(0);
            await new Promise((resolve) => setTimeout(resolve, 300));
            return (
              (handledBy.get('instance-a')?.length ?? 0) > 0 && (handledBy.get('instance-b')?.length ?? 0) > 0
            );
          },
          { what: 'both instances to handle messages', timeoutMs: 10_000 },
        );
        await a.stop();
        await publish(1);
        await waitUntil(
          async () => {
            let total = 0;
            for (const key of keys)
              total += (await b.load(account, key)).state.seen.filter((s) => s === 1).length;
            return total === keys.length;
          },
          { what: 'instance b to take every partition', timeoutMs: 10_000 },
        );
        // Handlers run at least once (a rebalance may redo uncommitted work); their effects apply exactly once.
        expect(new Set(handledBy.get('instance-b')!.filter((entry) => entry.endsWith(':1'))).size).toBe(
          keys.length,
        );
        // Every message applied exactly once, whichever instance handled it.
        for (const key of keys) {
          const { state } = await b.load(account, key);
          expect(state.seen.filter((s) => s === 1)).toHaveLength(1);
          expect(state.seen.filter((s) => s === 0)).toHaveLength(rounds);
        }
      },
    );

    it.runIf(target.features.multiInstance)(
      'an instance that takes partitions back does not trust states it cached before another one moved them on',
      async () => {
        const env = await h.environment();
        const handledBy = new Map<string, string[]>();
        const a = instance(h, await h.open(env), 'instance-a', handledBy);
        const b = instance(h, await h.open(env), 'instance-b', handledBy);
        const keys = Array.from({ length: 40 }, (_, i) => `acct-${i}`);
        const publish = (seq: number) =>
          a.publish(
            numbers,
            keys.map((key) => ({ type: 'Numbered' as const, key, payload: { key, seq } })),
          );
        // Read through a service of its own: loading through `a` would refresh the states `a` caches.
        const reader = h.service(await h.open(env), 'bank-reader').entity(account);
        const seenEverywhere =
          (seq: number, count = 1) =>
          async () => {
            for (const key of keys) {
              const { state } = await reader.load(account, key);
              if (state.seen.filter((s) => s === seq).length !== count) return false;
            }
            return true;
          };
        await a.start();
        // A handles (and caches) every stream.
        await publish(0);
        await waitUntil(seenEverywhere(0), { what: 'instance a to handle round 0', timeoutMs: 10_000 });
        // B joins and moves the streams of its partitions on.
        await b.start();
        let rounds = 0;
        await waitUntil(
          async () => {
            rounds++;
            await publish(1);
            await new Promise((resolve) => setTimeout(resolve, 300));
            return (handledBy.get('instance-b')?.length ?? 0) > 0;
          },
          { what: 'instance b to handle messages', timeoutMs: 10_000 },
        );
        await waitUntil(seenEverywhere(1, rounds), { what: 'round 1 everywhere', timeoutMs: 10_000 });
        // B leaves; A takes every partition back, and handles the next round without a conflict.
        let ownsAll = false;
        a.on('consumer:rebalanced', (e) => (ownsAll = e.partitions.length === numbers.partitions));
        await b.stop();
        await waitUntil(() => ownsAll, { what: 'instance a to own every partition', timeoutMs: 10_000 });
        const rewinds: unknown[] = [];
        a.on('consumer:rewound', (e) => rewinds.push(e.conflict));
        await publish(2);
        await waitUntil(seenEverywhere(2), { what: 'instance a to handle round 2', timeoutMs: 10_000 });
        expect(rewinds).toEqual([]);
      },
    );

    it('holds back what a registered group has not processed and names it; removes it once processed', async () => {
      const conn = await h.open(await h.environment());
      let gate = false;
      const seen: number[] = [];
      const service = h.service(conn, 'keeper').consumer({
        name: 'slow-reader',
        source: kept,
        handle: async (m) => {
          while (!gate) await new Promise((resolve) => setTimeout(resolve, 10));
          seen.push(m.payload.seq);
        },
      });
      const held: string[] = [];
      service.on('topic:retention-held', (e) => held.push(`${e.laggingGroup}:${e.held}`));
      await service.start();
      await service.publish(
        kept,
        Array.from({ length: 10 }, (_, seq) => ({ type: 'Numbered' as const, key: 'k', payload: { seq } })),
      );
      // The group registers when it reports progress (its first checkpoint).
      await conn.bus.recordProgress(kept.name, 'slow-reader', 0, 0);
      await conn.bus.recordProgress(kept.name, 'slow-reader', 1, 0);
      const outcomes = await service.applyRetention();
      const partition = outcomes.find((o) => o.held > 0)!;
      expect(partition).toMatchObject({ held: 7, removed: 0, laggingGroup: 'slow-reader' });
      expect(held).toContain('slow-reader:7');
      expect(await conn.bus.listRetention(kept.name)).toContainEqual(partition);
      gate = true;
      await waitUntil(() => seen.length === 10, { what: 'the reader to catch up' });
      await waitUntil(
        async () => {
          const progress = await conn.bus.listProgress(kept.name);
          const end = await conn.bus.endPosition(kept.name, partition.partition);
          return progress.some((p) => p.partition === partition.partition && p.position === end);
        },
        { what: 'the progress report' },
      );
      const after = await service.applyRetention();
      expect(after.find((o) => o.partition === partition.partition)).toMatchObject({
        held: 0,
        removed: 7,
        laggingGroup: null,
      });
      expect(await conn.bus.read(kept.name, partition.partition, 0, 100)).toHaveLength(3);
    });
  });
}
