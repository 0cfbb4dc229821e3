import { describe, expect, it } from 'vitest';
import type { ConformanceTarget, Connection } from './ConformanceTarget.ts';
import { account, numbers } from './fixtures.ts';
import type { Harness } from './harness.ts';
import { useHarness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

/** A consumer that deposits one unit per message into the account named by the key, with the message's seq. */
function depositingService(h: Harness, conn: Connection, gate?: Promise<void>) {
  return h
    .service(conn, 'bank')
    .entity(account)
    .consumer({
      name: 'bank-deposits',
      source: numbers,
      concurrency: 16,
      handle: async (message, ctx) => {
        if (gate !== undefined && message.key === 'slow') await gate;
        await ctx.execute(account, message.key, {
          type: 'Deposit',
          data: { amount: 1, seq: message.payload.seq },
        });
      },
    });
}

async function totalDeposits(h: Harness, conn: Connection, keys: string[]): Promise<number> {
  const reader = h.service(conn, 'reader').entity(account);
  let total = 0;
  for (const key of keys) total += (await reader.load(account, key)).state.deposits;
  return total;
}

/** No loss and no double effect across restarts; progress made out of order survives too. */
export function durabilityTests(target: ConformanceTarget): void {
  describe.runIf(target.features.persistent && target.features.exactlyOnceEffects)('durability', () => {
    const h = useHarness(target);

    it('resumes from its checkpoint after a restart: nothing lost, nothing applied twice', async () => {
      const env = await h.environment();
      const first = await h.open(env);
      const keys = Array.from({ length: 20 }, (_, i) => `acct-${i}`);
      const perKey = 30;
      const service = depositingService(h, first);
      await service.start();
      const messages = [];
      for (let seq = 0; seq < perKey; seq++)
        for (const key of keys) messages.push({ type: 'Numbered' as const, key, payload: { key, seq } });
      await service.publish(numbers, messages);
      await waitUntil(async () => (await totalDeposits(h, first, keys)) >= 100, { what: 'some progress' });
      await service.stop();
      await first.close();

      const second = await h.open(env);
      await depositingService(h, second).start();
      await waitUntil(async () => (await totalDeposits(h, second, keys)) >= keys.length * perKey, {
        what: 'every deposit after the restart',
      });
      const reader = h.service(second, 'verify').entity(account);
      for (const key of keys) {
        const { state, version } = await reader.load(account, key);
        expect(state.seen).toEqual(Array.from({ length: perKey }, (_, i) => i));
        expect(version).toBe(perKey);
      }
    });

    it('remembers messages finished out of order when an earlier key was abandoned at shutdown', async () => {
      const env = await h.environment();
      const first = await h.open(env);
      const gate = new Promise<void>(() => {});
      const service = depositingService(h, first, gate);
      await service.start();
      const fast = Array.from({ length: 50 }, (_, i) => `fast-${i}`);
      await service.publish(numbers, [
        { type: 'Numbered', key: 'slow', payload: { key: 'slow', seq: 0 } },
        ...fast.map((key) => ({ type: 'Numbered' as const, key, payload: { key, seq: 0 } })),
      ]);
      await waitUntil(async () => (await totalDeposits(h, first, fast)) === fast.length, {
        what: 'the fast keys',
      });
      await service.stop({ timeoutMs: 50 });
      await first.close();

      const second = await h.open(env);
      await depositingService(h, second).start();
      await waitUntil(async () => (await totalDeposits(h, second, ['slow'])) === 1, {
        what: 'the abandoned message to be redone',
      });
      // Give a wrongly redelivered fast message time to show up before checking.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await totalDeposits(h, second, fast)).toBe(fast.length);
    });
  });
}
