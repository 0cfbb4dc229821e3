import { deadLetterEvents, newMessageId, ValidationError } from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { adminOf, flaky, numbered, quick } from './failureFixtures.ts';
import { numbers } from './fixtures.ts';
import { useHarness } from './harness.ts';
import { redriveTests } from './redriveTests.ts';
import { waitUntil } from './waitUntil.ts';

/** Retries, per-key parking, dead letters and their operations, exhaustion policies, invalid input, timers. */
export function failureTests(target: ConformanceTarget): void {
  describe('failure handling', () => {
    const h = useHarness(target);

    it('parks a poison key in order while every other key completes, then redrives it in order', async () => {
      const conn = await h.open(await h.environment());
      const failing = new Set(['k1:2']);
      const handled = new Map<string, number[]>();
      const service = flaky(h, conn, failing, handled);
      await service.start();
      const others = Array.from({ length: 49 }, (_, i) => `k${i + 2}`);
      await service.publish(numbers, [
        ...numbered('k1', [1, 2, 3, 4, 5]),
        ...others.flatMap((k) => numbered(k, [1, 2, 3])),
      ]);
      await waitUntil(() => others.every((k) => handled.get(k)?.length === 3), { what: 'the healthy keys' });
      const admin = adminOf(conn);
      const [parked] = await waitUntil(
        async () => {
          const list = await admin.deadLetters.list({ consumer: 'flaky-consumer', status: 'parked' });
          return list.length === 1 ? list : undefined;
        },
        { what: 'k1:2 to be parked' },
      );
      expect(parked).toMatchObject({
        reason: 'failed',
        attempts: 4,
        message: { key: 'k1', type: 'Numbered' },
      });
      expect(parked!.error.message).toBe('boom at k1:2');
      expect(handled.get('k1')).toEqual([1]);

      failing.clear();
      await admin.deadLetters.redrive(parked!.id, { by: 'test' });
      await waitUntil(() => handled.get('k1')?.length === 5, { what: 'k1 to drain' });
      expect(handled.get('k1')).toEqual([1, 2, 3, 4, 5]);
      expect((await admin.deadLetters.show(parked!.id)).status).toBe('redriven');
      await service.publish(numbers, numbered('k1', [6]));
      await waitUntil(() => handled.get('k1')?.length === 6, { what: 'k1 to flow again' });
    });

    it.runIf(target.features.persistent)(
      'keeps a parked key blocked across a restart and drains it after',
      async () => {
        const env = await h.environment();
        const first = await h.open(env);
        const failing = new Set(['k1:2']);
        const handled = new Map<string, number[]>();
        const service = flaky(h, first, failing, handled);
        await service.start();
        await service.publish(numbers, [...numbered('k1', [1, 2, 3]), ...numbered('k2', [1])]);
        await waitUntil(
          async () => (await adminOf(first).deadLetters.list({ status: 'parked' })).length === 1,
          { what: 'the park' },
        );
        await service.stop();
        await first.close();

        const second = await h.open(env);
        const restarted = flaky(h, second, failing, handled);
        await restarted.start();
        await restarted.publish(numbers, [...numbered('k1', [4]), ...numbered('k2', [2])]);
        await waitUntil(() => handled.get('k2')?.length === 2, { what: 'k2 after the restart' });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(handled.get('k1')).toEqual([1]);
        failing.clear();
        const admin = adminOf(second);
        await admin.deadLetters.redrive({ consumer: 'flaky-consumer' }, { by: 'test' });
        await waitUntil(() => handled.get('k1')?.length === 4, { what: 'k1 to drain after the restart' });
        expect(handled.get('k1')).toEqual([1, 2, 3, 4]);
      },
    );

    it('retries a transient failure after a delay and leaves no dead letter when it recovers', async () => {
      const conn = await h.open(await h.environment());
      const failing = new Set(['k:1']);
      const handled = new Map<string, number[]>();
      const service = flaky(h, conn, failing, handled, {
        retry: { ...quick, delayedRetries: 5, initialInterval: 40 },
      });
      await service.start();
      await service.publish(numbers, numbered('k', [1, 2]));
      const admin = adminOf(conn);
      await waitUntil(async () => (await admin.deadLetters.list({ status: 'retrying' })).length === 1, {
        what: 'a retry',
      });
      failing.clear();
      await waitUntil(() => handled.get('k')?.length === 2, { what: 'the retry to succeed' });
      expect(handled.get('k')).toEqual([1, 2]);
      await waitUntil(async () => (await admin.deadLetters.list()).length === 0, {
        what: 'the dead letter to go',
      });
    });

    it('skip records the dead letter and lets the key go on', async () => {
      const conn = await h.open(await h.environment());
      const handled = new Map<string, number[]>();
      const service = flaky(h, conn, new Set(['k:2']), handled, { retry: { ...quick, onExhausted: 'skip' } });
      await service.start();
      await service.publish(numbers, numbered('k', [1, 2, 3]));
      await waitUntil(() => handled.get('k')?.length === 2, { what: 'k:3 after the skip' });
      expect(handled.get('k')).toEqual([1, 3]);
      const [skipped] = await waitUntil(
        async () => {
          const list = await adminOf(conn).deadLetters.list({ status: 'skipped' });
          return list.length === 1 ? list : undefined;
        },
        { what: 'the skipped dead letter' },
      );
      expect(skipped).toMatchObject({ status: 'skipped', attempts: 4, message: { key: 'k' } });
    });

    it('escalate turns the failure into domain effects, then continues', async () => {
      const conn = await h.open(await h.environment());
      const handled: number[] = [];
      const service = h.service(conn, 'escalating').consumer({
        name: 'escalating',
        source: numbers,
        retry: { ...quick, onExhausted: 'escalate' },
        handle: (m) => {
          if (m.payload.seq === 2) throw new Error('charge failed');
          handled.push(m.payload.seq);
        },
        onExhausted: (message, { error }, ctx) =>
          ctx.publish(numbers, {
            type: 'Numbered',
            key: 'escalations',
            payload: { key: `${message.key}:${error.message}`, seq: 0 },
          }),
      });
      await service.start();
      await service.publish(numbers, numbered('k', [1, 2, 3]));
      await waitUntil(() => handled.length === 3, { what: 'k:3 and the escalation' });
      expect(handled.sort()).toEqual([0, 1, 3]);
      const [escalated] = await waitUntil(
        async () => {
          const list = await adminOf(conn).deadLetters.list({ status: 'escalated' });
          return list.length === 1 ? list : undefined;
        },
        { what: 'the escalated dead letter' },
      );
      expect(escalated).toMatchObject({ status: 'escalated', error: { message: 'charge failed' } });
    });

    it('stop pauses the consumer with an alert and resumes on request', async () => {
      const conn = await h.open(await h.environment());
      const failing = new Set(['a:1']);
      const handled = new Map<string, number[]>();
      const service = flaky(h, conn, failing, handled, { retry: { ...quick, onExhausted: 'stop' } });
      const alerts: string[] = [];
      service.on('consumer:paused', (e) => alerts.push(e.reason));
      await service.start();
      await service.publish(numbers, numbered('a', [1]));
      await waitUntil(() => alerts.length > 0, { what: 'the alert' });
      expect(alerts[0]).toMatch(/stopped after dead-lettering/);
      await service.publish(numbers, numbered('b', [1]));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(handled.get('b')).toBeUndefined();
      const admin = adminOf(conn);
      expect((await admin.consumers.list()).find((c) => c.name === 'flaky-consumer')).toMatchObject({
        status: 'paused',
      });
      await admin.consumers.resume('flaky-consumer', { by: 'test' });
      await waitUntil(() => handled.get('b')?.length === 1, { what: 'b after resume', timeoutMs: 5000 });
      expect(handled.get('a')).toBeUndefined();
    });

    it('the poison-storm guard pauses a consumer when many keys park at once, and it can be resumed', async () => {
      const conn = await h.open(await h.environment());
      const handled: string[] = [];
      let broken = true;
      const service = h.service(conn, 'storm').consumer({
        name: 'storm',
        source: numbers,
        retry: { ...quick, delayedRetries: 0, immediateRetries: 0 },
        stormGuard: { threshold: 0.5, minParked: 5, windowMs: 60_000 },
        handle: (m) => {
          if (broken) throw new Error('bad deploy');
          handled.push(m.key);
        },
      });
      const paused: string[] = [];
      service.on('consumer:paused', (e) => paused.push(e.reason));
      await service.start();
      await service.publish(numbers, Array.from({ length: 40 }, (_, i) => numbered(`s${i}`, [1])).flat());
      await waitUntil(() => paused.length > 0, { what: 'the storm guard' });
      expect(paused[0]).toMatch(/poison storm/);
      broken = false;
      const admin = adminOf(conn);
      await admin.consumers.resume('storm', { by: 'test' });
      await admin.deadLetters.redrive({ consumer: 'storm' }, { by: 'test' });
      await waitUntil(() => handled.length === 40, { what: 'every key after the fix' });
    });

    it('dead-letters malformed, wrong-schema and unknown-type messages as invalid and keeps running', async () => {
      const conn = await h.open(await h.environment());
      const handled = new Map<string, number[]>();
      const service = flaky(h, conn, new Set(), handled, { retry: { ...quick, onExhausted: 'skip' } });
      await service.start();
      const base = { topic: numbers.name, partition: 0, headers: {}, occurredAt: new Date().toISOString() };
      await conn.bus.publish([
        { ...base, id: newMessageId(), key: 'x1', type: 'Numbered', payload: '{not json' },
        {
          ...base,
          id: newMessageId(),
          key: 'x2',
          type: 'Numbered',
          payload: JSON.stringify({ key: 'x2', seq: 'one' }),
        },
        { ...base, id: newMessageId(), key: 'x3', type: 'Unknown', payload: '{}' },
      ]);
      await service.publish(numbers, numbered('ok', [1]));
      await waitUntil(() => handled.get('ok')?.length === 1, { what: 'the valid message' });
      const letters = await waitUntil(
        async () => {
          const list = await adminOf(conn).deadLetters.list({ reason: 'invalid' });
          return list.length === 3 ? list : undefined;
        },
        { what: 'three invalid dead letters' },
      );
      expect(letters.map((l) => l.attempts)).toEqual([0, 0, 0]);
      expect(letters.map((l) => l.message.key).sort()).toEqual(['x1', 'x2', 'x3']);
    });

    it('refuses an edit that breaks the schema and changes nothing; a valid edit redrives with an audit', async () => {
      const conn = await h.open(await h.environment());
      const handled = new Map<string, number[]>();
      const service = flaky(h, conn, new Set(), handled);
      await service.start();
      const base = {
        topic: numbers.name,
        partition: 0,
        headers: { correlationId: 'c-1' },
        occurredAt: new Date().toISOString(),
      };
      const id = newMessageId();
      await conn.bus.publish([
        { ...base, id, key: 'e', type: 'Numbered', payload: JSON.stringify({ key: 'e', seq: 'bad' }) },
      ]);
      await service.publish(numbers, numbered('e', [2]));
      const admin = adminOf(conn);
      const [letter] = await waitUntil(
        async () => {
          const list = await admin.deadLetters.list({ status: 'parked' });
          return list.length === 1 ? list : undefined;
        },
        { what: 'the parked invalid message' },
      );
      await expect(
        admin.deadLetters.edit(letter!.id, { key: 'e', seq: 'still bad' }, { by: 'ops' }),
      ).rejects.toThrow(ValidationError);
      expect(await admin.deadLetters.show(letter!.id)).toEqual(letter);
      const edited = await admin.deadLetters.edit(
        letter!.id,
        { key: 'e', seq: 1 },
        { by: 'ops', reason: 'fix seq' },
      );
      expect(edited.deadLetter.edits).toMatchObject([
        { by: 'ops', reason: 'fix seq', after: JSON.stringify({ key: 'e', seq: 1 }) },
      ]);
      expect(edited.deadLetter.message).toMatchObject({ id, headers: { correlationId: 'c-1' } });
      await waitUntil(() => handled.get('e')?.length === 2, {
        what: 'the edited message and the one behind it',
      });
      expect(handled.get('e')).toEqual([1, 2]);
    });

    it('discarding the head drains the key’s queue in order', async () => {
      const conn = await h.open(await h.environment());
      const handled = new Map<string, number[]>();
      const service = flaky(h, conn, new Set(['d:1']), handled);
      await service.start();
      await service.publish(numbers, numbered('d', [1, 2, 3]));
      const admin = adminOf(conn);
      await waitUntil(async () => (await admin.deadLetters.list({ status: 'parked' })).length === 1, {
        what: 'the park',
      });
      const dropped = await admin.deadLetters.skipHead('flaky-consumer', 'd', { by: 'ops' });
      expect(dropped.status).toBe('discarded');
      await waitUntil(() => handled.get('d')?.length === 2, { what: 'the queue to drain' });
      expect(handled.get('d')).toEqual([2, 3]);
    });

    it('publishes every dead-letter change on the system stream', async () => {
      const conn = await h.open(await h.environment());
      const seen: string[] = [];
      const service = flaky(h, conn, new Set(['w:1']), new Map()).consumer({
        name: 'failure-watch',
        source: deadLetterEvents,
        handle: (m) => void seen.push(`${m.type}:${m.payload.status}`),
      });
      await service.start();
      await service.publish(numbers, numbered('w', [1]));
      await waitUntil(() => seen.includes('MessageFailed:parked'), { what: 'the parked event' });
      expect(seen[0]).toBe('MessageFailed:retrying');
    });

    it.runIf(target.features.persistent)(
      'fires a delayed retry and a user timer after a restart',
      async () => {
        const env = await h.environment();
        const first = await h.open(env);
        const failing = new Set(['t:1']);
        const handled = new Map<string, number[]>();
        const retry = { ...quick, initialInterval: 400, maxInterval: 400, delayedRetries: 2 };
        const service = flaky(h, first, failing, handled, { retry });
        await service.start();
        await service.publish(numbers, numbered('t', [1]));
        await service.schedule(
          numbers,
          { type: 'Numbered', key: 'timer', payload: { key: 'timer', seq: 9 } },
          { after: 300 },
        );
        await waitUntil(
          async () => (await adminOf(first).deadLetters.list({ status: 'retrying' })).length === 1,
          { what: 'the retry' },
        );
        await service.stop();
        await first.close();
        failing.clear();
        const second = await h.open(env);
        await flaky(h, second, failing, handled, { retry }).start();
        await waitUntil(() => handled.get('t')?.length === 1 && handled.get('timer')?.length === 1, {
          what: 'the retry and the timer after the restart',
        });
        expect(handled.get('timer')).toEqual([9]);
      },
    );
  });
  redriveTests(target);
}
