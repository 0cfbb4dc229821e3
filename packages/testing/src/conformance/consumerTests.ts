import type { HandlerContext } from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { account, echoes, numbers, progress } from './fixtures.ts';
import { useHarness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

/** Chained publishes, entity-stream sources, shutdown, bad input and conflicts between consumers. */
export function consumerTests(target: ConformanceTarget): void {
  describe('consumers', () => {
    const h = useHarness(target);

    it.runIf(target.features.persistent)('chains publishes without duplicates across a restart', async () => {
      const env = await h.environment();
      const build = (conn: Awaited<ReturnType<typeof h.open>>) =>
        h
          .service(conn, 'relay')
          .consumer({
            name: 'echoer',
            source: numbers,
            handle: {
              Numbered: (m, ctx) =>
                ctx.publish(echoes, {
                  type: 'Echoed',
                  key: m.key,
                  payload: { key: m.key, seq: m.payload.seq },
                }),
            },
          })
          .consumer({
            name: 'echo-counter',
            source: echoes,
            handle: async (m, ctx) => {
              const doc = (await ctx.readModel(progress).get(m.key)) ?? { key: m.key, last: -1, count: 0 };
              await ctx
                .readModel(progress)
                .set(m.key, { key: m.key, last: m.payload.seq, count: doc.count + 1 });
            },
          });
      const first = await h.open(env);
      const service = build(first);
      await service.start();
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const messages = [];
      for (let seq = 0; seq < 40; seq++)
        for (const key of keys) messages.push({ type: 'Numbered' as const, key, payload: { key, seq } });
      await service.publish(numbers, messages);
      await waitUntil(async () => ((await service.query(progress).get('a'))?.count ?? 0) >= 5, {
        what: 'some echoes',
      });
      await service.stop();
      await first.close();
      const second = await h.open(env);
      const resumed = build(second);
      await resumed.start();
      await waitUntil(
        async () => (await resumed.query(progress).find({ where: { last: 39 } })).length === keys.length,
        {
          what: 'every echo',
        },
      );
      for (const key of keys)
        expect(await resumed.query(progress).get(key)).toEqual({ key, last: 39, count: 40 });
      let echoed = 0;
      for (let p = 0; p < echoes.partitions; p++)
        echoed += (await second.bus.read(echoes.name, p, 0, 10_000)).length;
      expect(echoed).toBe(200);
    });

    it('consumes an entity’s event stream', async () => {
      const conn = await h.open(await h.environment());
      const seen: string[] = [];
      const bank = h
        .service(conn, 'bank')
        .entity(account)
        .consumer({
          name: 'deposit-log',
          source: account,
          handle: { Deposited: (m) => void seen.push(`${m.key}:${m.payload.amount}`) },
        });
      await bank.start();
      await bank.execute(account, 'x', { type: 'Deposit', data: { amount: 1 } });
      await bank.execute(account, 'y', { type: 'Deposit', data: { amount: 2 } });
      await bank.execute(account, 'x', { type: 'Deposit', data: { amount: 3 } });
      await waitUntil(() => seen.length === 3, { what: 'three events' });
      expect(seen.filter((s) => s.startsWith('x:'))).toEqual(['x:1', 'x:3']);
    });

    it('lets a running handler finish and commit on graceful stop', async () => {
      const env = await h.environment();
      const conn = await h.open(env);
      let entered!: () => void;
      const started = new Promise<void>((resolve) => (entered = resolve));
      const bank = h
        .service(conn, 'bank')
        .entity(account)
        .consumer({
          name: 'slow-deposits',
          source: numbers,
          handle: async (m, ctx) => {
            entered();
            await new Promise((resolve) => setTimeout(resolve, 150));
            await ctx.execute(account, m.key, { type: 'Deposit', data: { amount: 1 } });
          },
        });
      await bank.start();
      await bank.publish(numbers, { type: 'Numbered', key: 'k', payload: { key: 'k', seq: 0 } });
      await started;
      await bank.stop();
      expect((await bank.load(account, 'k')).state.deposits).toBe(1);
      const cursor = await conn.store.loadCursor('slow-deposits', numbers.name);
      expect(cursor.some((c) => c.position > 0)).toBe(true);
    });

    it('redoes work that lost a race with another consumer writing the same entity', async () => {
      const conn = await h.open(await h.environment());
      const handler = async (m: { key: string; payload: { seq: number } }, ctx: HandlerContext) => {
        await ctx.execute(account, 'hot', { type: 'Deposit', data: { amount: 1 } });
      };
      const service = h
        .service(conn, 'bank')
        .entity(account)
        .consumer({ name: 'left', source: numbers, handle: handler })
        .consumer({ name: 'right', source: numbers, handle: handler });
      await service.start();
      const messages = Array.from({ length: 100 }, (_, seq) => ({
        type: 'Numbered' as const,
        key: `k${seq % 10}`,
        payload: { key: `k${seq % 10}`, seq },
      }));
      await service.publish(numbers, messages);
      await waitUntil(async () => (await service.load(account, 'hot')).state.deposits === 200, {
        what: '200 deposits',
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await service.load(account, 'hot')).state.deposits).toBe(200);
    });
  });
}
