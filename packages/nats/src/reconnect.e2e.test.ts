import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createService } from '@parley/core';
import { createSqliteStore } from '@parley/sqlite';
import { fixtures, waitUntil } from '@parley/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createNatsBus } from './createNatsBus.ts';
import { PrivateNatsServer } from './testkit/natsServer.ts';

const { account, numbers } = fixtures;

// Restarts a private server (own port and store directory) so test files sharing the regular server are not
// disturbed; the restart is the same as a service manager's: SIGTERM, then the same command again.
describe.runIf(PrivateNatsServer.available())('NATS server restart', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nats-restart-'));
  let server: PrivateNatsServer | undefined;
  afterAll(async () => {
    await server?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'loses nothing and applies nothing twice when the server restarts mid-run',
    { timeout: 60_000 },
    async () => {
      server = await PrivateNatsServer.start();
      const store = createSqliteStore(`sqlite:${path.join(dir, 'bank.db')}`);
      const bus = createNatsBus(server.url, { requestTimeoutMs: 1000 });
      const service = createService({ name: 'bank', store, bus })
        .entity(account)
        .consumer({
          name: 'bank-deposits',
          source: numbers,
          concurrency: 8,
          handle: async (message, ctx) => {
            await ctx.execute(account, message.key, {
              type: 'Deposit',
              data: { amount: 1, seq: message.payload.seq },
            });
          },
        });
      const keys = Array.from({ length: 12 }, (_, i) => `acct-${i}`);
      const perKey = 30;
      const publishSeqs = (from: number, to: number) => {
        const messages = [];
        for (let seq = from; seq < to; seq++)
          for (const key of keys) messages.push({ type: 'Numbered' as const, key, payload: { key, seq } });
        return service.publish(numbers, messages);
      };
      const deposits = async () => (await store.readEvents(account.name, 0, keys.length * perKey * 2)).length;

      try {
        await service.start();
        await publishSeqs(0, 10);
        await waitUntil(async () => (await deposits()) >= 40, { what: 'progress before the restart' });

        await server.stop();
        // Published while the server is down: kept in the outbox until the relay gets through again.
        await publishSeqs(10, 20);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await server.start();
        await publishSeqs(20, perKey);

        await waitUntil(async () => (await deposits()) >= keys.length * perKey, {
          what: 'every deposit after the restart',
          timeoutMs: 40_000,
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await deposits()).toBe(keys.length * perKey);
        for (const key of keys) {
          const { state } = await service.load(account, key);
          expect(state.seen).toEqual(Array.from({ length: perKey }, (_, i) => i));
        }
      } finally {
        await service.stop();
        await store.close();
        await bus.close();
      }
    },
  );
});
