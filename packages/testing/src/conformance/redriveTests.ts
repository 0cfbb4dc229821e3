import {
  newMessageId,
  partitionFor,
  type BulkResult,
  type DeadLetter,
  type RetryPolicy,
  type Service,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceTarget, Connection } from './ConformanceTarget.ts';
import { adminOf, flaky, numbered, quick } from './failureFixtures.ts';
import { numbers } from './fixtures.ts';
import { useHarness, type Harness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

/**
 * A consumer that escalates what keeps failing: `onExhausted` publishes an `escalations` message (the domain
 * hears of the failure), and a handled message is recorded per key (the domain hears of the success).
 */
function escalating(
  h: Harness,
  conn: Connection,
  failing: Set<string>,
  handled: Map<string, number[]>,
  escalations: string[],
): Service {
  return h.service(conn, 'escalating').consumer({
    name: 'escalating',
    source: numbers,
    retry: { ...quick, onExhausted: 'escalate' },
    stormGuard: false,
    handle: (m) => {
      if (m.key === 'escalations') return void escalations.push(m.payload.key);
      if (failing.has(`${m.key}:${m.payload.seq}`))
        throw new Error(`charge ${m.key}:${m.payload.seq} failed`);
      handled.set(m.key, [...(handled.get(m.key) ?? []), m.payload.seq]);
    },
    onExhausted: (m, { error }, ctx) =>
      ctx.publish(numbers, {
        type: 'Numbered',
        key: 'escalations',
        payload: { key: `${m.key}:${m.payload.seq}: ${error.message}`, seq: 0 },
      }),
  });
}

async function oneWith(
  conn: Connection,
  status: DeadLetter['status'],
  what: string,
  count = 1,
): Promise<DeadLetter[]> {
  return waitUntil(
    async () => {
      const list = await adminOf(conn).deadLetters.list({ status });
      return list.length === count ? list : undefined;
    },
    { what },
  );
}

/** Redriving what no queue holds any more (escalated, skipped), and operators acting at once. */
export function redriveTests(target: ConformanceTarget): void {
  describe('redrive', () => {
    const h = useHarness(target);

    it('redrives an escalated message once the cause is fixed, in its key’s turn, without blocking the key', async () => {
      const conn = await h.open(await h.environment());
      const failing = new Set(['k:2']);
      const handled = new Map<string, number[]>();
      const escalations: string[] = [];
      const service = escalating(h, conn, failing, handled, escalations);
      await service.start();
      await service.publish(numbers, numbered('k', [1, 2, 3]));
      const [letter] = await oneWith(conn, 'escalated', 'the escalation');
      await waitUntil(() => escalations.length === 1 && handled.get('k')?.length === 2, {
        what: 'k:3 and the escalation',
      });
      const admin = adminOf(conn);
      failing.clear();
      const result = await admin.deadLetters.redrive({ status: 'escalated' }, { by: 'ops' });
      expect(result).toMatchObject({ changed: [{ id: letter!.id, status: 'redriven', action: 'replay' }] });
      expect(result.untouched).toEqual([]);
      await waitUntil(() => handled.get('k')?.length === 3, { what: 'the replay' });
      await service.publish(numbers, numbered('k', [4]));
      await waitUntil(() => handled.get('k')?.length === 4, { what: 'k:4 after the replay' });
      expect(handled.get('k')).toEqual([1, 3, 2, 4]);
      expect(escalations).toHaveLength(1);
      await waitUntil(async () => (await admin.deadLetters.show(letter!.id)).action === null, {
        what: 'the replay to be recorded',
      });
      expect(await admin.deadLetters.show(letter!.id)).toMatchObject({ status: 'redriven', action: null });
      // Handled now: a second redrive has nothing to do, and says so.
      await expect(admin.deadLetters.redrive(letter!.id, { by: 'ops' })).rejects.toMatchObject({
        code: 'NOT_REDRIVABLE',
      });
      expect(await admin.deadLetters.redrive({ status: 'redriven' }, { by: 'ops' })).toMatchObject({
        changed: [],
        untouchedBy: { 'not-applicable': 1 },
      });
    });

    it('a replay that fails again goes back to escalated, without escalating twice or parking its key', async () => {
      const conn = await h.open(await h.environment());
      const handled = new Map<string, number[]>();
      const escalations: string[] = [];
      const service = escalating(h, conn, new Set(['k:1']), handled, escalations);
      await service.start();
      await service.publish(numbers, numbered('k', [1]));
      const [letter] = await oneWith(conn, 'escalated', 'the escalation');
      const admin = adminOf(conn);
      await admin.deadLetters.redrive(letter!.id, { by: 'ops' });
      await waitUntil(
        async () => {
          const now = await admin.deadLetters.show(letter!.id);
          return now.status === 'escalated' && now.version > letter!.version + 1 ? now : undefined;
        },
        { what: 'the replay to fail' },
      );
      expect(await admin.deadLetters.show(letter!.id)).toMatchObject({
        status: 'escalated',
        action: null,
        // One delivery: the first attempt and its immediate retry.
        attempts: 2,
        firstFailedAt: letter!.firstFailedAt,
      });
      await service.publish(numbers, numbered('k', [2]));
      await waitUntil(() => handled.get('k')?.length === 1, { what: 'k:2, the key flowing' });
      expect(escalations).toHaveLength(1);
    });

    it('a replay on a key parked behind another head runs alone and leaves that queue in order', async () => {
      const conn = await h.open(await h.environment());
      const failing = new Set(['k:1']);
      const handled = new Map<string, number[]>();
      const service = escalating(h, conn, failing, handled, []);
      await service.start();
      await service.publish(numbers, numbered('k', [1]));
      const [escalated] = await oneWith(conn, 'escalated', 'the escalation');
      // A message that does not decode parks its key, whatever the policy; k:3 waits behind it.
      await conn.bus.publish([
        {
          topic: numbers.name,
          partition: partitionFor('k', numbers.partitions),
          id: newMessageId(),
          key: 'k',
          type: 'Numbered',
          payload: '{not json',
          headers: {},
          occurredAt: new Date().toISOString(),
        },
      ]);
      await oneWith(conn, 'parked', 'the parked head');
      await service.publish(numbers, numbered('k', [3]));
      await service.publish(numbers, numbered('other', [1]));
      await waitUntil(() => handled.get('other')?.length === 1, { what: 'another key' });
      const admin = adminOf(conn);
      failing.clear();
      await admin.deadLetters.redrive(escalated!.id, { by: 'ops' });
      await waitUntil(() => handled.get('k')?.length === 1, { what: 'the replay' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(handled.get('k')).toEqual([1]);
      const [head] = await admin.deadLetters.list({ status: 'parked' });
      expect(head).toMatchObject({ reason: 'invalid', message: { key: 'k' } });
      await admin.deadLetters.skipHead('escalating', 'k', { by: 'ops' });
      await waitUntil(() => handled.get('k')?.length === 2, { what: 'the queue behind the head' });
      expect(handled.get('k')).toEqual([1, 3]);
    });

    it('a bulk operation reports what it matched and left alone, by reason', async () => {
      const conn = await h.open(await h.environment());
      const handled = new Map<string, number[]>();
      const retry: RetryPolicy = { ...quick, immediateRetries: 0, delayedRetries: 0 };
      const service = flaky(h, conn, new Set(['a:1', 'b:1', 'c:1']), handled, { retry });
      await service.start();
      await service.publish(numbers, [...numbered('a', [1]), ...numbered('b', [1]), ...numbered('c', [1])]);
      const letters = await oneWith(conn, 'parked', 'three parked keys', 3);
      await service.stop();
      const admin = adminOf(conn);
      const first = letters[0]!.id;
      expect((await admin.deadLetters.discard(first, { by: 'ops' })).changed).toHaveLength(1);
      const refused = await admin.deadLetters.redrive({ status: 'discarded' }, { by: 'ops' });
      expect(refused).toEqual({
        changed: [],
        untouched: [{ id: first, reason: 'not-applicable', status: 'discarded' }],
        untouchedBy: { 'not-applicable': 1 },
      });
      await expect(admin.deadLetters.redrive(first, { by: 'ops' })).rejects.toMatchObject({
        code: 'NOT_REDRIVABLE',
      });
      const all = await admin.deadLetters.redrive({ status: ['parked', 'discarded'] }, { by: 'ops' });
      expect(all.changed.map((d) => d.id)).toEqual(letters.slice(1).map((d) => d.id));
      expect(all.untouchedBy).toEqual({ 'not-applicable': 1 });
      const again = await admin.deadLetters.redrive({ status: 'redriven' }, { by: 'ops' });
      expect(again).toMatchObject({ changed: [], untouchedBy: { already: 2 } });
      expect((await admin.deadLetters.discard({ status: 'discarded' }, { by: 'ops' })).untouchedBy).toEqual({
        already: 1,
      });
    });

    it('operators redriving at once while failures arrive: every run finishes and accounts for what it matched', async () => {
      const conn = await h.open(await h.environment());
      const handled = new Map<string, number[]>();
      // Every message fails its first delivery and, unless redriven first, recovers on its delayed retry.
      const tries = new Map<string, number>();
      const service = h.service(conn, 'operators').consumer({
        name: 'operators',
        source: numbers,
        concurrency: 16,
        retry: { immediateRetries: 0, initialInterval: 20, maxInterval: 40, delayedRetries: 3 },
        stormGuard: false,
        handle: (m) => {
          const id = `${m.key}:${m.payload.seq}`;
          const n = (tries.get(id) ?? 0) + 1;
          tries.set(id, n);
          if (n === 1) throw new Error(`first try of ${id}`);
          handled.set(m.key, [...(handled.get(m.key) ?? []), m.payload.seq]);
        },
      });
      await service.start();
      const admin = adminOf(conn);
      const keys = Array.from({ length: 40 }, (_, i) => `op${i}`);
      let publishing = true;
      const publisher = (async () => {
        for (let seq = 1; seq <= 5; seq++) {
          await service.publish(
            numbers,
            keys.flatMap((k) => numbered(k, [seq])),
          );
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
        publishing = false;
      })();
      const results: BulkResult[] = [];
      const operator = async (): Promise<void> => {
        while (publishing || results.length < 20) {
          results.push(await admin.deadLetters.redrive({ consumer: 'operators' }, { by: 'ops' }));
          // An embedded store answers without I/O: let timers (the consumer's, the publisher's) run.
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      };
      await Promise.all([publisher, ...Array.from({ length: 10 }, operator)]);
      // At least once: a handler whose commit lost to an operator's change runs again (its effects in the store
      // would not be applied twice); what counts is that every message is handled, in order.
      const seen = (k: string) => [...new Set(handled.get(k))];
      await waitUntil(() => keys.every((k) => seen(k).length === 5), {
        what: 'every message',
        timeoutMs: 20_000,
      });
      for (const k of keys) expect(seen(k)).toEqual([1, 2, 3, 4, 5]);
      const changed = results.reduce((n, r) => n + r.changed.length, 0);
      expect(changed).toBeGreaterThan(0);
      // What one operator matched and another changed first is counted, never an error.
      for (const r of results) {
        const counted = Object.values(r.untouchedBy).reduce((n, c) => n + c, 0);
        expect(counted).toBe(r.untouched.length);
        expect(r.untouched.every((u) => u.reason !== 'not-applicable')).toBe(true);
      }
    });
  });
}
