import { isParleyError, whenAllIdle } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../logging/recordingLogger.ts';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { account, accountEvents, accountPublication, numbers, progress } from './fixtures.ts';
import { useHarness } from './harness.ts';

/** Waiting for quiet, and what a service says when it is used before it starts or with what it does not know. */
export function lifecycleTests(target: ConformanceTarget): void {
  describe('lifecycle', () => {
    const h = useHarness(target);

    it('whenIdle resolves once every published message is handled', async () => {
      const conn = await h.open(await h.environment());
      const service = h.service(conn, 'counter').consumer({
        name: 'count-numbers',
        source: numbers,
        handle: async (m, ctx) => {
          const doc = (await ctx.readModel(progress).get(m.key)) ?? { key: m.key, last: -1, count: 0 };
          await ctx.readModel(progress).set(m.key, { key: m.key, last: m.payload.seq, count: doc.count + 1 });
        },
      });
      await service.start();
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      const messages = keys.flatMap((key) =>
        Array.from({ length: 30 }, (_, seq) => ({ type: 'Numbered' as const, key, payload: { key, seq } })),
      );
      await service.publish(numbers, messages);
      await service.whenIdle();
      for (const key of keys)
        expect(await service.query(progress).get(key)).toEqual({ key, last: 29, count: 30 });
      expect((await service.checkIdle()).idle).toBe(true);
    });

    it('whenAllIdle waits for services that feed each other', async () => {
      const env = await h.environment();
      const bank = h.service(await h.open(env, { service: 'bank' }), 'bank').entity(account, {
        publish: accountPublication,
      });
      const audit = h.service(await h.open(env, { service: 'audit' }), 'audit').consumer({
        name: 'audit-totals',
        source: accountEvents,
        handle: async (m, ctx) => {
          const doc = (await ctx.readModel(progress).get(m.key)) ?? { key: m.key, last: 0, count: 0 };
          await ctx
            .readModel(progress)
            .set(m.key, { key: m.key, last: doc.last + m.payload.amount, count: doc.count + 1 });
        },
      });
      await bank.start();
      await audit.start();
      await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          bank.execute(account, `acct-${i % 3}`, { type: 'Deposit', data: { amount: i + 1 } }),
        ),
      );
      await whenAllIdle([bank, audit]);
      const totals = await audit.query(progress).find();
      expect(totals.reduce((sum, t) => sum + t.doc.count, 0)).toBe(24);
      expect(totals.reduce((sum, t) => sum + t.doc.last, 0)).toBe((24 * 25) / 2);
    });

    it('whenIdle does not wait for a delayed retry due later, and says what is busy when it times out', async () => {
      const conn = await h.open(await h.environment());
      let release: () => void = () => {};
      const slow = new Promise<void>((resolve) => (release = resolve));
      const service = h.service(conn, 'waiter').consumer({
        name: 'slow-numbers',
        source: numbers,
        retry: { immediateRetries: 0, initialInterval: 60_000, maxInterval: 60_000 },
        handle: async (m) => {
          if (m.key === 'poison') throw new Error('gateway down');
          if (m.key === 'slow') await slow;
        },
      });
      await service.start();
      await service.publish(numbers, [
        { type: 'Numbered', key: 'poison', payload: { key: 'poison', seq: 0 } },
        { type: 'Numbered', key: 'slow', payload: { key: 'slow', seq: 0 } },
      ]);
      const timedOut = await service.whenIdle({ timeoutMs: 300 }).catch((error: unknown) => error);
      expect(isParleyError(timedOut) && timedOut.code).toBe('IDLE_TIMEOUT');
      expect((timedOut as Error).message).toMatch(/consumer slow-numbers/);
      release();
      await service.whenIdle();
      const retrying = await conn.store.listDeadLetters({ status: ['retrying'] });
      expect(retrying.map((d) => d.message.key)).toEqual(['poison']);
    });

    it('warns once when a service is used before it starts', async () => {
      const conn = await h.open(await h.environment());
      const logger = recordingLogger();
      const bank = h.service(conn, 'bank', { logger }).entity(account, { publish: accountPublication });
      await bank.execute(account, 'acct-1', { type: 'Deposit', data: { amount: 5 } });
      await bank.execute(account, 'acct-1', { type: 'Deposit', data: { amount: 5 } });
      const warnings = logger.atLeast('warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.msg).toMatch(/before service\.start\(\)/);
      await bank.start();
      await bank.execute(account, 'acct-1', { type: 'Deposit', data: { amount: 5 } });
      expect(logger.atLeast('warn')).toHaveLength(1);
      expect((await bank.load(account, 'acct-1')).state.balance).toBe(15);
    });

    it('load() of an entity the service does not know throws, as execute does', async () => {
      const conn = await h.open(await h.environment());
      const service = h.service(conn, 'empty');
      await service.start();
      const loaded = await service.load(account, 'acct-1').catch((error: unknown) => error);
      const executed = await service
        .execute(account, 'acct-1', { type: 'Deposit', data: { amount: 1 } })
        .catch((error: unknown) => error);
      expect(isParleyError(loaded) && loaded.code).toBe('UNKNOWN_ENTITY');
      expect(isParleyError(executed) && executed.code).toBe('UNKNOWN_ENTITY');
    });
  });
}
