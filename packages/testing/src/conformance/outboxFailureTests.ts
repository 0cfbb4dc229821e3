import {
  createAdmin,
  defineTopic,
  emptyChange,
  isParleyError,
  newMessageId,
  partitionFor,
  type Bus,
  type OutgoingMessage,
  type ServiceEvents,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { useHarness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

const messages = { Noted: z.object({ n: z.number().int() }) };
const orders = defineTopic({ name: 'conformance-orders', partitions: 4, messages });
/** The same topic name defined again with more partitions: a definition that disagrees with the bus. */
const ordersWider = defineTopic({ name: 'conformance-orders', partitions: 16, messages });

/** A key that the wider definition puts in a partition the topic does not have. */
const outsideKey = (() => {
  for (let i = 0; ; i++)
    if (partitionFor(`k${i}`, ordersWider.partitions) >= orders.partitions) return `k${i}`;
})();

async function readTopic(bus: Bus, topic: { name: string; partitions: number }): Promise<string[]> {
  const keys: string[] = [];
  for (let partition = 0; partition < topic.partitions; partition++)
    keys.push(...(await bus.read(topic.name, partition, 0, 1000)).map((r) => r.key));
  return keys.sort();
}

function outgoing(topic: string, partition: number, key: string): OutgoingMessage {
  return {
    topic,
    partition,
    id: newMessageId(),
    type: 'Noted',
    key,
    payload: JSON.stringify({ n: 1 }),
    headers: {},
    occurredAt: new Date().toISOString(),
  };
}

/** A publish that disagrees with the topic on the bus is refused; an outbox row the bus refuses is set aside. */
export function outboxFailureTests(target: ConformanceTarget): void {
  describe('outbox failures', () => {
    const h = useHarness(target);

    for (const relay of [false, true]) {
      it(`refuses a publish to a definition whose partition count differs from the topic's${relay ? ' (relay)' : ''}`, async () => {
        const conn = await h.open(await h.environment(), relay ? { service: 'shop' } : {});
        const service = h.service(conn, 'shop');
        await service.start();
        await service.publish(orders, { type: 'Noted', key: 'a', payload: { n: 1 } });
        const refused = await service
          .publish(ordersWider, { type: 'Noted', key: outsideKey, payload: { n: 2 } })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(isParleyError(refused) && refused.code).toBe('TOPIC_MISMATCH');
        expect((refused as Error).message).toMatch(/4 partitions/);
        expect((refused as Error).message).toMatch(/16/);
        await service.whenIdle();
        expect(await readTopic(conn.bus, orders)).toEqual(['a']);
        expect(await conn.store.fetchOutbox(10)).toEqual([]);
        expect(await conn.store.listOutbox({ status: ['pending', 'failed'] })).toEqual([]);
      });
    }

    it('refuses at start a service whose publication disagrees with the topic on the bus', async () => {
      const env = await h.environment();
      const first = h.service(await h.open(env, { service: 'one' }), 'one');
      await first.start();
      await first.publish(orders, { type: 'Noted', key: 'a', payload: { n: 1 } });
      const second = h.service(await h.open(env, { service: 'two' }), 'two').consumer({
        name: 'wide-reader',
        source: ordersWider,
        handle: () => {},
      });
      await expect(second.start()).rejects.toMatchObject({ code: 'TOPIC_MISMATCH' });
    });

    it('refuses at commit a row outside the topic when the store writes to the log directly', async () => {
      const conn = await h.open(await h.environment());
      await conn.bus.ensureTopic(orders);
      const committed = conn.store.commit({
        ...emptyChange,
        outgoing: [outgoing(orders.name, 10, outsideKey)],
      });
      const direct = await committed.then(
        () => false,
        (error: unknown) => {
          expect(String(error)).toMatch(/partition 10/);
          return true;
        },
      );
      // A store with its own outbox takes the row; the relay then sets it aside (next test).
      if (direct) expect(await conn.store.fetchOutbox(10)).toEqual([]);
    });

    it('keeps every row, in order, while the bus is unreachable, and alerts with relay:failed', async () => {
      const conn = await h.open(await h.environment(), { service: 'shop' });
      let down = true;
      // The real bus, unreachable for a while: publishing and listing topics fail as a dropped connection would.
      const bus = new Proxy(conn.bus, {
        get(target, property, receiver) {
          if (down && (property === 'publish' || property === 'listTopics'))
            return () => Promise.reject(new Error('connection refused'));
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
      const service = h.service(conn, 'shop', { bus });
      const failed: Array<ServiceEvents['relay:failed']> = [];
      service.on('relay:failed', (event) => failed.push(event));
      await service.start();
      for (let n = 1; n <= 3; n++) await service.publish(orders, { type: 'Noted', key: 'k', payload: { n } });
      await waitUntil(() => failed.length >= 2, { what: 'two relay:failed alerts' });
      expect(failed.every((f) => f.setAside.length === 0 && (f.retryInMs ?? 0) > 0)).toBe(true);
      expect(failed[0]!.error.message).toMatch(/connection refused/);
      expect(await conn.store.listOutbox()).toEqual([]);
      expect(await conn.store.listOutbox({ status: 'pending' })).toHaveLength(3);
      down = false;
      await waitUntil(async () => (await readTopic(conn.bus, orders)).length === 3, {
        what: 'the rows to reach the bus once it is back',
      });
      const partition = partitionFor('k', orders.partitions);
      const sent = await conn.bus.read(orders.name, partition, 0, 10);
      expect(sent.map((r) => (JSON.parse(r.payload) as { n: number }).n)).toEqual([1, 2, 3]);
    });

    it('sets aside a row the bus refuses, sends the rest in order, and lets an operator see and discard it', async () => {
      const conn = await h.open(await h.environment(), { service: 'shop' });
      await conn.bus.ensureTopic(orders);
      // Rows an older version wrote: one outside the topic's partitions, one for a topic that does not exist.
      await conn.store.commit({
        ...emptyChange,
        outgoing: [
          outgoing(orders.name, 0, 'before'),
          outgoing(orders.name, 10, outsideKey),
          outgoing('conformance-no-such-topic', 0, 'lost'),
        ],
      });
      const service = h.service(conn, 'shop');
      const failed: Array<ServiceEvents['relay:failed']> = [];
      service.on('relay:failed', (event) => failed.push(event));
      await service.start();
      const later = ['l1', 'l2', 'l3'];
      for (const key of later) await service.publish(orders, { type: 'Noted', key, payload: { n: 3 } });
      await waitUntil(async () => (await readTopic(conn.bus, orders)).length === 4, {
        what: 'the sendable rows to reach the bus',
      });
      await service.whenIdle();
      expect(await readTopic(conn.bus, orders)).toEqual(['before', ...later].sort());

      expect(failed.length).toBeGreaterThan(0);
      expect(failed.flatMap((f) => f.setAside.map((r) => r.key)).sort()).toEqual(['lost', outsideKey].sort());

      const admin = createAdmin({ store: conn.store, bus: conn.bus });
      const listed = await admin.outbox.list();
      expect(listed.map((e) => [e.key, e.status, e.attempts])).toEqual([
        [outsideKey, 'failed', 1],
        ['lost', 'failed', 1],
      ]);
      expect(listed[0]!.error?.message).toMatch(/partition 10/);
      expect(listed[1]!.error?.message).toMatch(/conformance-no-such-topic/);

      const discarded = await admin.outbox.discard(listed[0]!.seq, { by: 'ops' });
      expect(discarded).toMatchObject({ status: 'discarded', actedBy: 'ops' });
      await expect(admin.outbox.discard(listed[0]!.seq, { by: 'ops' })).rejects.toMatchObject({
        code: 'NOT_DISCARDABLE',
      });
      expect((await admin.outbox.list()).map((e) => e.key)).toEqual(['lost']);

      // Once the topic exists, the set-aside row can be put back and goes out.
      await conn.bus.ensureTopic({ name: 'conformance-no-such-topic', partitions: 1 });
      await admin.outbox.retry(listed[1]!.seq, { by: 'ops' });
      await waitUntil(async () => (await conn.bus.read('conformance-no-such-topic', 0, 0, 10)).length === 1, {
        what: 'the retried row to reach the bus',
      });
      expect(await admin.outbox.list()).toEqual([]);
      await expect(admin.outbox.show(listed[1]!.seq)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
