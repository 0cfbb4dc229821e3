import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { createService, silentLogger } from '@parley/core';
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

    it.runIf(cluster !== undefined)(
      'publish and execute ride out the restart: every call returns, and each one counts once',
      { timeout: 90_000 },
      async () => {
        const conn = openPostgres(testUrl, base);
        const service = createService({
          name: 'teller',
          store: conn.store,
          bus: conn.bus,
          logger: silentLogger,
        }).entity(account);
        // Keys of their own: the test before this one published to the same topic.
        const calls = 60;
        let done = 0;
        try {
          await service.start();
          const producer = (async () => {
            for (let seq = 0; seq < calls; seq++) {
              await service.publish(numbers, {
                type: 'Numbered',
                key: `k${seq % 5}`,
                payload: { key: 'k', seq },
              });
              await service.execute(account, 'till', { type: 'Deposit', data: { amount: 1, seq } });
              done++;
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          })();
          await waitUntil(() => done >= 10, { what: 'some calls before the restart' });
          // Asynchronously, so that calls are under way while the server goes down and comes back.
          await promisify(execFile)(
            'pg_ctlcluster',
            ['--skip-systemctl-redirect', cluster!, 'main', 'restart'],
            {
              timeout: 60_000,
            },
          );
          await producer;
          expect(done).toBe(calls);
          const published = [];
          for (let p = 0; p < numbers.partitions; p++)
            published.push(
              ...(await conn.bus.read(numbers.name, p, 0, 1000)).filter((m) => /^k\d$/.test(m.key)),
            );
          expect(
            published.map((m) => (JSON.parse(m.payload) as { seq: number }).seq).sort((a, b) => a - b),
          ).toEqual(Array.from({ length: calls }, (_, i) => i));
          const till = await conn.store.readStream(account.name, 'till', 0);
          expect(till.map((e) => (e.data as { seq: number }).seq)).toEqual(
            Array.from({ length: calls }, (_, i) => i),
          );
        } finally {
          await service.stop();
          await conn.close();
        }
      },
    );
  },
  { exclusive: true },
);
