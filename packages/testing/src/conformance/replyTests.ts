import { defineReplyTopic, DomainError, type CommandAccepted, type CommandRejected } from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { account, numbers } from './fixtures.ts';
import { useHarness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

const replies = defineReplyTopic('conformance-replies', { partitions: 2 });

/** Outcomes of commands sent as messages travel back to `replyTo`; domain errors are outcomes, not retries. */
export function replyTests(target: ConformanceTarget): void {
  describe('replies and domain errors', () => {
    const h = useHarness(target);

    it('publishes accepted and rejected outcomes to the replyTo topic, once each', async () => {
      const env = await h.environment();
      const bankConn = await h.open(env, { service: 'bank' });
      const clientConn = await h.open(env, { service: 'client' });
      const bank = h
        .service(bankConn, 'bank')
        .entity(account)
        .consumer({
          name: 'deposit-commands',
          source: numbers,
          handle: async (m, ctx) => {
            const outcome = await ctx.execute(account, m.key, {
              type: 'Deposit',
              data: { amount: m.payload.seq },
            });
            await ctx.reply(outcome);
          },
        });
      const received: Array<CommandAccepted | CommandRejected> = [];
      const client = h.service(clientConn, 'client').consumer({
        name: 'client-replies',
        source: replies,
        handle: (m) => void received.push(m.payload),
      });
      await client.start();
      await bank.start();
      await client.publish(numbers, [
        {
          type: 'Numbered',
          key: 'acct',
          payload: { key: 'acct', seq: 999_999 },
          headers: { replyTo: replies.name, correlationId: 'one' },
        },
        {
          type: 'Numbered',
          key: 'acct',
          payload: { key: 'acct', seq: 5 },
          headers: { replyTo: replies.name, correlationId: 'two' },
        },
        { type: 'Numbered', key: 'other', payload: { key: 'other', seq: 1 } },
      ]);
      await waitUntil(() => received.length === 2, { what: 'two replies' });
      const byCorrelation = Object.fromEntries(received.map((r) => [r.correlationId, r]));
      expect(byCorrelation.one).toMatchObject({
        entityId: 'acct',
        result: { version: 1 },
        requestType: 'Numbered',
      });
      expect(byCorrelation.two).toMatchObject({ entityId: 'acct', rejection: { code: 'LimitExceeded' } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toHaveLength(2);
      // The rejection is an outcome, not an event: the account has only the accepted deposit.
      expect(await bankConn.store.readStream(account.name, 'acct', 0)).toHaveLength(1);
    });

    it('answers a thrown domain error with a rejected reply instead of retrying', async () => {
      const conn = await h.open(await h.environment());
      let calls = 0;
      const received: CommandRejected[] = [];
      const service = h
        .service(conn, 'strict')
        .consumer({
          name: 'strict-commands',
          source: numbers,
          handle: () => {
            calls++;
            throw new DomainError('NotAllowed', 'numbers are not allowed here', { details: { why: 'test' } });
          },
        })
        .consumer({
          name: 'strict-replies',
          source: replies,
          handle: { CommandRejected: (m) => void received.push(m.payload) },
        });
      await service.start();
      await service.publish(numbers, {
        type: 'Numbered',
        key: 'k',
        payload: { key: 'k', seq: 1 },
        headers: { replyTo: replies.name, correlationId: 'c' },
      });
      await waitUntil(() => received.length === 1, { what: 'the rejected reply' });
      expect(received[0]).toMatchObject({
        correlationId: 'c',
        rejection: { code: 'NotAllowed', details: { why: 'test' } },
      });
      expect(calls).toBe(1);
    });

    it('records an unhandled domain error as a skipped dead letter, never retried, and goes on', async () => {
      const conn = await h.open(await h.environment());
      const handled: number[] = [];
      const service = h.service(conn, 'plain').consumer({
        name: 'plain',
        source: numbers,
        retry: { immediateRetries: 3, immediateDelay: 1 },
        handle: (m) => {
          if (m.payload.seq === 1) throw new DomainError('Refused');
          handled.push(m.payload.seq);
        },
      });
      const failures: number[] = [];
      service.on('consumer:failed', (e) => failures.push(e.attempt));
      await service.start();
      await service.publish(
        numbers,
        [1, 2].map((seq) => ({ type: 'Numbered' as const, key: 'k', payload: { key: 'k', seq } })),
      );
      await waitUntil(() => handled.length === 1, { what: 'the next message' });
      expect(failures).toEqual([1]);
      const letters = await waitUntil(
        async () => {
          const list = await conn.store.listDeadLetters({ consumer: 'plain' });
          return list.length === 1 ? list : undefined;
        },
        { what: 'the skipped dead letter' },
      );
      expect(letters[0]).toMatchObject({
        status: 'skipped',
        error: { name: 'DomainError', code: 'Refused' },
      });
    });

    it('follows user classification rules', async () => {
      const conn = await h.open(await h.environment());
      class CardDeclined extends Error {}
      let calls = 0;
      const service = h.service(conn, 'classified').consumer({
        name: 'classified',
        source: numbers,
        classify: [{ error: CardDeclined, as: 'invalid' }],
        retry: { immediateRetries: 5, immediateDelay: 1, onExhausted: 'skip' },
        handle: () => {
          calls++;
          throw new CardDeclined('declined');
        },
      });
      await service.start();
      await service.publish(numbers, { type: 'Numbered', key: 'k', payload: { key: 'k', seq: 1 } });
      const [letter] = await waitUntil(
        async () => {
          const list = await conn.store.listDeadLetters({ consumer: 'classified' });
          return list.length === 1 ? list : undefined;
        },
        { what: 'the dead letter' },
      );
      expect(letter).toMatchObject({ reason: 'invalid', status: 'skipped' });
      expect(calls).toBe(1);
    });
  });
}
