import { createService, silentLogger } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { account, echoes, numbers } from '../conformance/fixtures.ts';
import { LEASE_TTL_VARIABLE } from './crashWorkload.ts';
import { startWorker, type CrashTestOptions } from './runCrashTest.ts';

/** Leases far longer than the test may take: a restart that waited for them could not pass. */
const LEASE_TTL_MS = 120_000;

/**
 * The restart test: a crash worker with the default instance name is SIGKILLed mid-run and started again. The new
 * process must take the dead one's name — and so its partitions — at once and finish the work, although the dead
 * process's leases would hold its partitions for another two minutes.
 */
export function runRestartTest(options: Omit<CrashTestOptions, 'kills' | 'instances'>): void {
  const keys = options.keys ?? 40;
  const perKey = options.perKey ?? 60;
  const total = keys * perKey;

  describe(`restart test: ${options.name}`, () => {
    it(
      'a SIGKILLed process restarted with the default instance name resumes at once',
      { timeout: 90_000 },
      async () => {
        const conn = await options.open();
        try {
          const publisher = createService({
            name: 'publisher',
            store: conn.store,
            bus: conn.bus,
            logger: silentLogger,
          });
          const messages = [];
          for (let seq = 0; seq < perKey; seq++)
            for (let k = 0; k < keys; k++)
              messages.push({
                type: 'Numbered' as const,
                key: `acct-${k}`,
                payload: { key: `acct-${k}`, seq },
              });
          await publisher.publish(numbers, messages);
          await conn.bus.ensureTopic(echoes);
          const deposits = async () => (await conn.store.readEvents(account.name, 0, total * 2)).length;
          const env = { [LEASE_TTL_VARIABLE]: String(LEASE_TTL_MS) };

          const first = startWorker(options.worker, options.url(), env);
          await first.started;
          while ((await deposits()) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
          first.child.kill('SIGKILL');
          await first.exited;
          const before = await deposits();
          expect(before).toBeLessThan(total);

          const restarted = Date.now();
          const second = startWorker(options.worker, options.url(), env);
          await second.started;
          while ((await deposits()) < total && Date.now() - restarted < LEASE_TTL_MS / 3)
            await new Promise((resolve) => setTimeout(resolve, 20));
          second.child.kill('SIGTERM');
          await second.exited;
          expect(await deposits()).toBe(total);
        } finally {
          await conn.close();
        }
      },
    );
  });
}
