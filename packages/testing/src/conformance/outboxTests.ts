import { createService, defineTopic, newMessageId, publishTo, ValidationError } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { account, accountEvents, accountPublication, numbers } from './fixtures.ts';
import { useHarness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

async function readAll(
  bus: {
    read: (
      t: string,
      p: number,
      a: number,
      l: number,
    ) => Promise<Array<{ id: string; type: string; key: string; payload: string }>>;
  },
  topic: { name: string; partitions: number },
) {
  const all = [];
  for (let partition = 0; partition < topic.partitions; partition++)
    all.push(...(await bus.read(topic.name, partition, 0, 10_000)));
  return all;
}

/** Events and their topic messages commit together; publishing is idempotent by message id. */
export function outboxTests(target: ConformanceTarget): void {
  describe('outbox', () => {
    const h = useHarness(target);

    it('publishes an entity’s events to its topic exactly once, for a consumer in another service', async () => {
      const env = await h.environment();
      const bankConn = await h.open(env, { service: 'bank' });
      const auditConn = await h.open(env, { service: 'audit' });
      const bank = h.service(bankConn, 'bank').entity(account, { publish: accountPublication });
      const received: string[] = [];
      const audit = h.service(auditConn, 'audit').consumer({
        name: 'audit-deposits',
        source: accountEvents,
        handle: {
          Deposited: (message) =>
            void received.push(`${message.payload.accountId}:${message.payload.amount}`),
        },
      });
      await bank.start();
      await audit.start();
      for (let i = 1; i <= 20; i++)
        await bank.execute(account, `acct-${i % 4}`, { type: 'Deposit', data: { amount: i } });
      await waitUntil(() => received.length === 20, { what: '20 deposits to arrive' });
      expect(new Set(received).size).toBe(20);
      const onTopic = await readAll(auditConn.bus, accountEvents);
      expect(onTopic).toHaveLength(20);
    });

    it('writes neither the events nor the messages when a publication is invalid', async () => {
      const conn = await h.open(await h.environment());
      const strict = defineTopic({
        name: 'conformance-strict',
        partitions: 1,
        messages: { Big: z.object({ amount: z.number().max(10) }) },
      });
      const bank = h.service(conn, 'bank').entity(account, {
        publish: publishTo(strict, (event, { entityId }) => ({
          type: 'Big',
          key: entityId,
          payload: { amount: event.data.amount },
        })),
      });
      await bank.start();
      await bank.execute(account, 'a', { type: 'Deposit', data: { amount: 5 } });
      await expect(bank.execute(account, 'a', { type: 'Deposit', data: { amount: 50 } })).rejects.toThrow(
        ValidationError,
      );
      expect(await conn.store.readStream(account.name, 'a', 0)).toHaveLength(1);
      await waitUntil(async () => (await readAll(conn.bus, strict)).length === 1, {
        what: 'the valid message',
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await readAll(conn.bus, strict)).toHaveLength(1);
    });

    it('publishes a batch all or nothing', async () => {
      const conn = await h.open(await h.environment());
      const service = createService({ name: 'publisher', store: conn.store, bus: conn.bus });
      await expect(
        service.publish(numbers, [
          { type: 'Numbered', key: 'k', payload: { key: 'k', seq: 1 } },
          { type: 'Numbered', key: 'k', payload: { key: 'k', seq: 1.5 } },
        ]),
      ).rejects.toThrow(/seq/);
      expect(await readAll(conn.bus, numbers)).toHaveLength(0);
    });

    it('drops a message published twice with the same id', async () => {
      const conn = await h.open(await h.environment());
      await conn.bus.ensureTopic(numbers);
      const message = {
        topic: numbers.name,
        partition: 1,
        id: newMessageId(),
        type: 'Numbered',
        key: 'k',
        payload: JSON.stringify({ key: 'k', seq: 1 }),
        headers: {},
        occurredAt: new Date().toISOString(),
      };
      await conn.bus.publish([message]);
      await conn.bus.publish([message, { ...message, id: newMessageId() }]);
      const stored = await conn.bus.read(numbers.name, 1, 0, 10);
      expect(stored.map((r) => r.id)).toEqual([message.id, expect.any(String)]);
      expect(stored[0]!.position).toBeLessThan(stored[1]!.position);
    });
  });
}
