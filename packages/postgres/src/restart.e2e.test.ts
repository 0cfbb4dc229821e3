import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createService } from '@parley/core';
import { fixtures, waitUntil } from '@parley/testing';
import { expect, it } from 'vitest';
import { openPostgres } from './conformance/postgresEnvironment.ts';
import { describePostgres, testUrl, useSchemas } from './conformance/postgresTestDatabase.ts';

const { account, numbers } = fixtures;

/** The local cluster's version when `pg_ctlcluster` can restart it (Debian's postgresql-common), else undefined. */
function localCluster(): string | undefined {
  try {
    execFileSync('pg_ctlcluster', ['--help'], { stdio: 'ignore' });
  } catch (error) {
    // Exits non-zero after printing its usage when present; only a missing binary is ENOENT.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  const versions = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : [];
  return versions.length === 1 ? versions[0] : undefined;
}

const cluster = localCluster();

describePostgres(
  'a PostgreSQL restart during a consumer run',
  () => {
    const { base } = useSchemas();

    it.runIf(cluster !== undefined)(
      'loses no message and applies none twice',
      { timeout: 90_000 },
      async () => {
        const conn = openPostgres(testUrl, base);
        const keys = Array.from({ length: 10 }, (_, i) => `acct-${i}`);
        const perKey = 40;
        const service = createService({ name: 'bank', store: conn.store, bus: conn.bus })
          .entity(account)
          .consumer({
            name: 'bank-deposits',
            source: numbers,
            concurrency: 8,
            batchSize: 16,
            handle: async (message, ctx) => {
              // A few milliseconds each, so the run lasts long enough for the restart to land in its middle.
              await new Promise((resolve) => setTimeout(resolve, 10));
              await ctx.execute(account, message.key, {
                type: 'Deposit',
                data: { amount: 1, seq: message.payload.seq },
              });
            },
          });
        const deposits = async () => (await conn.store.readEvents(account.name, 0, 10_000)).length;
        try {
          await service.start();
          const messages = [];
          for (let seq = 0; seq < perKey; seq++)
            for (const key of keys) messages.push({ type: 'Numbered' as const, key, payload: { key, seq } });
          await service.publish(numbers, messages);
          await waitUntil(async () => (await deposits()) >= 40, { what: 'some progress' });

          // Still mid-run: the restart must interrupt the consumer, not follow it.
          expect(await deposits()).toBeLessThan(keys.length * perKey);
          execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster!, 'main', 'restart'], {
            stdio: 'ignore',
            timeout: 60_000,
          });
          const afterRestart = await waitUntil(
            async () => {
              try {
                return await deposits();
              } catch {
                return 0;
              }
            },
            { what: 'PostgreSQL back', timeoutMs: 30_000, intervalMs: 100 },
          );
          expect(afterRestart).toBeLessThanOrEqual(keys.length * perKey);
          await waitUntil(async () => (await deposits()) >= keys.length * perKey, {
            what: 'every deposit after the restart',
            timeoutMs: 45_000,
            intervalMs: 100,
          });
          await new Promise((resolve) => setTimeout(resolve, 200));
          expect(await deposits()).toBe(keys.length * perKey);
          for (const key of keys) {
            const stream = await conn.store.readStream(account.name, key, 0);
            expect(stream.map((e) => (e.data as { seq: number }).seq)).toEqual(
              Array.from({ length: perKey }, (_, i) => i),
            );
            expect(stream.at(-1)?.version).toBe(perKey);
          }
        } finally {
          await service.stop();
          await conn.close();
        }
      },
    );
  },
  { exclusive: true },
);
