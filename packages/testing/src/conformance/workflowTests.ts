import {
  createAdmin,
  defineReplyTopic,
  defineTopic,
  defineWorkflow,
  DomainError,
  escalateTo,
  isParleyError,
  whenAllIdle,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { useHarness } from './harness.ts';
import { waitUntil } from './waitUntil.ts';

const charges = defineTopic({
  name: 'conformance-wf-charges',
  partitions: 2,
  messages: { Charge: z.object({ wallet: z.string(), amount: z.number(), slowMs: z.number().optional() }) },
});
const chargeReplies = defineReplyTopic('conformance-wf-charge-replies', { partitions: 2 });
const signals = defineTopic({
  name: 'conformance-wf-signals',
  partitions: 2,
  messages: { Approved: z.object({ order: z.string(), by: z.string() }) },
});
const notices = defineTopic({
  name: 'conformance-wf-notices',
  partitions: 1,
  messages: { Noticed: z.object({ order: z.string() }) },
});
const order = z.object({ order: z.string() });

/** Durable workflows: journaled steps, retries and parking, compensation, timers, inboxes, requests, replay. */
export function workflowTests(target: ConformanceTarget): void {
  describe('workflows', () => {
    const h = useHarness(target);

    it('runs steps to a result, journals them, and starting the same id again returns the first run', async () => {
      const conn = await h.open(await h.environment());
      const calls: string[] = [];
      const greet = defineWorkflow({
        name: 'greet',
        input: z.object({ name: z.string() }),
        run: async (ctx, input) => {
          const hello = await ctx.step('hello', () =>
            Promise.resolve((calls.push('hello'), `hello ${input.name}`)),
          );
          await ctx.sleep(30);
          const stamp = await ctx.now();
          const loud = await ctx.step('loud', (info) =>
            Promise.resolve((calls.push(info.idempotencyKey), hello.toUpperCase())),
          );
          return { loud, stamped: stamp > 0 };
        },
      });
      const service = h.service(conn, 'greeter').workflow(greet);
      await service.start();
      const first = await service.workflows.start(greet, 'g-1', { name: 'ada' });
      const again = await service.workflows.start(greet, 'g-1', { name: 'someone else' });
      expect(await first.result()).toEqual({ loud: 'HELLO ADA', stamped: true });
      expect(await again.result()).toEqual({ loud: 'HELLO ADA', stamped: true });
      expect(calls).toEqual(['hello', 'greet/g-1/4']);
      const journal = await first.journal();
      expect(journal.entries.map((e) => e.entry.type)).toEqual([
        'WorkflowStarted',
        'StepCompleted',
        'TimerStarted',
        'TimerFired',
        'ValueRecorded',
        'StepCompleted',
        'WorkflowCompleted',
      ]);
      await expect(service.workflows.start(greet, 'g-2', { name: 7 } as never)).rejects.toThrow(/input/);
      expect(await service.workflows.list({ workflow: 'greet' })).toMatchObject([
        { runId: 'g-1', status: 'completed' },
      ]);
    });

    it.runIf(target.features.persistent)(
      'resumes after a restart without running completed steps again',
      async () => {
        const env = await h.environment();
        const runs = { first: 0, second: 0 };
        let failSecond = true;
        const twoSteps = defineWorkflow({
          name: 'two-steps',
          input: order,
          run: async (ctx, input) => {
            await ctx.step('first', () => Promise.resolve(void runs.first++));
            return ctx.step(
              'second',
              () => {
                runs.second++;
                return failSecond
                  ? Promise.reject(new Error('gateway down'))
                  : Promise.resolve(`done ${input.order}`);
              },
              { retry: { immediateRetries: 0, initialInterval: 600_000, maxInterval: 600_000, jitter: 0 } },
            );
          },
        });
        const before = h.service(await h.open(env), 'orders').workflow(twoSteps);
        await before.start();
        const handle = await before.workflows.start(twoSteps, 'o-1', { order: 'o-1' });
        await waitUntil(() => runs.second === 1, { what: 'the second step to fail once' });
        await before.stop();
        failSecond = false;
        const conn = await h.open(env);
        const after = h.service(conn, 'orders').workflow(twoSteps);
        await after.start();
        // The retry is ten minutes away: an operator has it tried now.
        const admin = createAdmin({ store: conn.store });
        await admin.workflows.retry('two-steps', 'o-1', { by: 'operator' });
        expect(await after.workflows.get(twoSteps, handle.runId).result()).toBe('done o-1');
        await expect(admin.workflows.resume('two-steps', 'o-1', { by: 'operator' })).rejects.toThrow(
          /nothing to resume/,
        );
        expect(runs).toEqual({ first: 1, second: 2 });
      },
    );

    it('parks a step out of retries where operators see it, and a redrive resumes the run at that step', async () => {
      const conn = await h.open(await h.environment());
      let healthy = false;
      let attempts = 0;
      const flaky = defineWorkflow({
        name: 'flaky',
        input: order,
        run: async (ctx) => {
          await ctx.step('before', () => Promise.resolve('ok'));
          return ctx.step(
            'call-gateway',
            () => {
              attempts++;
              return healthy ? Promise.resolve('charged') : Promise.reject(new Error('gateway down'));
            },
            { retry: { immediateRetries: 1, maxAttempts: 4, initialInterval: 20, jitter: 0 } },
          );
        },
      });
      const service = h.service(conn, 'payments').workflow(flaky);
      await service.start();
      const handle = await service.workflows.start(flaky, 'f-1', { order: 'f-1' });
      await waitUntil(async () => (await handle.journal()).status === 'parked', { what: 'the run to park' });
      expect(attempts).toBe(4);
      const admin = createAdmin({ store: conn.store });
      expect(await admin.workflows.list({ status: 'parked' })).toMatchObject([
        { workflow: 'flaky', runId: 'f-1', step: 'call-gateway', error: { message: 'gateway down' } },
      ]);
      const [deadLetter] = await waitUntil(async () => {
        const found = await admin.deadLetters.list({ consumer: 'payments.workflows' });
        return found.length > 0 ? found : undefined;
      });
      expect(deadLetter?.message.key).toBe('f-1');
      expect(deadLetter?.error.message).toMatch(/parked: gateway down/);
      await expect(admin.workflows.retry('flaky', 'f-1', { by: 'operator' })).rejects.toThrow(
        /it is parked: resume it/,
      );
      healthy = true;
      await admin.workflows.resume('flaky', 'f-1', { by: 'operator' });
      expect(await handle.result()).toBe('charged');
      const types = (await handle.journal()).entries.map((e) => e.entry.type);
      expect(types.filter((t) => t === 'StepFailed')).toHaveLength(4);
      expect(types).toContain('StepResumed');
    });

    it('runs compensations newest first when a step fails, then fails the run', async () => {
      const conn = await h.open(await h.environment());
      const undone: string[] = [];
      const trip = defineWorkflow({
        name: 'trip',
        input: order,
        run: async (ctx) => {
          await ctx.step('flight', () => Promise.resolve('F1'), {
            compensate: (f) => Promise.resolve(void undone.push(`cancel ${f}`)),
          });
          await ctx.step('hotel', () => Promise.resolve('H1'), {
            compensate: (x) => Promise.resolve(void undone.push(`cancel ${x}`)),
          });
          await ctx.step('car', () => Promise.reject(new DomainError('NoCars', 'no cars left')), {
            onExhausted: 'compensate',
          });
          return 'booked';
        },
      });
      const service = h.service(conn, 'travel').workflow(trip);
      await service.start();
      const handle = await service.workflows.start(trip, 't-1', { order: 't-1' });
      const failure = await handle.result().catch((error: unknown) => error);
      expect(isParleyError(failure) && failure.code).toBe('WORKFLOW_FAILED');
      expect((failure as Error).message).toMatch(/no cars left/);
      expect(undone).toEqual(['cancel H1', 'cancel F1']);
      const steps = (await handle.journal()).entries
        .map((e) => e.entry)
        .filter((e) => e.type === 'StepCompleted')
        .map((e) => (e as { name: string }).name);
      expect(steps).toEqual(['flight', 'hotel', 'compensate:hotel', 'compensate:flight']);
    });

    it('waits for a message that arrived before the wait began, and cancels a run that waits', async () => {
      const conn = await h.open(await h.environment());
      const released: string[] = [];
      const approval = defineWorkflow({
        name: 'approval',
        input: order,
        inbox: [{ topic: signals, runId: (m) => (m.payload as { order: string }).order }],
        run: async (ctx, input) => {
          await ctx.step('hold', () => Promise.resolve(input.order), {
            compensate: (held) => Promise.resolve(void released.push(held)),
          });
          await ctx.sleep(150);
          const approved = await ctx.waitFor('approved', signals);
          return (approved.payload as { by: string }).by;
        },
      });
      const service = h.service(conn, 'approvals').workflow(approval);
      await service.start();
      const early = await service.workflows.start(approval, 'a-1', { order: 'a-1' });
      await service.publish(signals, {
        type: 'Approved',
        key: 'a-1',
        payload: { order: 'a-1', by: 'grace' },
      });
      expect(await early.result()).toBe('grace');

      const waiting = await service.workflows.start(approval, 'a-2', { order: 'a-2' });
      await waitUntil(
        async () => (await waiting.journal()).entries.some((e) => e.entry.type === 'WaitStarted'),
        { what: 'the run to wait' },
      );
      await createAdmin({ store: conn.store }).workflows.cancel('approval', 'a-2', {
        by: 'operator',
        reason: 'customer left',
      });
      const cancelled = await waiting.result().catch((error: unknown) => error);
      expect(isParleyError(cancelled) && cancelled.code).toBe('WORKFLOW_CANCELLED');
      expect(released).toEqual(['a-2']);
    });

    it('races waits and timers: the first to happen wins, and a losing wait leaves its message for later', async () => {
      const conn = await h.open(await h.environment());
      const deadline = defineWorkflow({
        name: 'deadline',
        input: z.object({ order: z.string(), ms: z.number() }),
        inbox: [{ topic: signals, runId: (m) => (m.payload as { order: string }).order }],
        run: async (ctx, input) => {
          const first = await ctx.race('approval', {
            approved: { waitFor: signals, match: (m) => (m.payload as { by: string }).by !== 'nobody' },
            expired: { sleep: input.ms },
          });
          if (first.winner === 'approved')
            return `approved by ${(first.message.payload as { by: string }).by}`;
          // The losing wait consumed nothing: an approval that comes now is still there to be taken.
          const late = await ctx.waitFor('late approval', signals);
          return `expired, then approved by ${(late.payload as { by: string }).by}`;
        },
      });
      const service = h.service(conn, 'deadlines').workflow(deadline);
      await service.start();
      const approve = (order: string, by: string) =>
        service.publish(signals, { type: 'Approved', key: order, payload: { order, by } });

      const quick = await service.workflows.start(deadline, 'd-1', { order: 'd-1', ms: 60_000 });
      await approve('d-1', 'nobody'); // not a match: it does not end the race
      await approve('d-1', 'grace');
      expect(await quick.result()).toBe('approved by grace');

      const slow = await service.workflows.start(deadline, 'd-2', { order: 'd-2', ms: 100 });
      await waitUntil(
        async () => (await slow.journal()).entries.some((e) => e.entry.type === 'RaceDecided'),
        { what: 'the race to be decided' },
      );
      await approve('d-2', 'alan');
      expect(await slow.result()).toBe('expired, then approved by alan');
      const decided = (await slow.journal()).entries.flatMap(({ entry }) =>
        entry.type === 'RaceDecided' ? [entry] : [],
      );
      expect(decided).toMatchObject([{ winner: 'expired', messageId: null }]);
    });

    it('escalates a step out of retries: a domain event through the outbox, once, and the run compensates', async () => {
      const conn = await h.open(await h.environment());
      const undone: string[] = [];
      const payout = defineWorkflow({
        name: 'escalating-payout',
        input: order,
        run: async (ctx, input) => {
          await ctx.step('reserve', () => Promise.resolve(input.order), {
            compensate: (reserved) => Promise.resolve(void undone.push(reserved)),
          });
          await ctx.step('transfer', () => Promise.reject(new Error('bank offline')), {
            retry: { immediateRetries: 1, immediateDelay: 1, delayedRetries: 0 },
            onExhausted: escalateTo(notices, () => ({
              type: 'Noticed',
              key: input.order,
              payload: { order: input.order },
            })),
          });
          return 'paid';
        },
      });
      const service = h.service(conn, 'escalations').workflow(payout);
      await service.start();
      const run = await service.workflows.start(payout, 'e-1', { order: 'e-1' });
      const failed = await run.result().catch((error: unknown) => error);
      expect(isParleyError(failed) && failed.message).toMatch(/bank offline/);
      expect(undone).toEqual(['e-1']);
      const threw = (await run.journal()).entries.flatMap(({ entry }) =>
        entry.type === 'StepThrew' ? [entry] : [],
      );
      expect(threw).toMatchObject([{ name: 'transfer', escalated: { topic: notices.name } }]);
      await service.whenIdle();
      const published = [];
      for (let p = 0; p < notices.partitions; p++)
        published.push(...(await conn.bus.read(notices.name, p, 0, 100)));
      expect(published.filter((m) => m.key === 'e-1').map((m) => m.id)).toEqual([
        threw[0]?.escalated?.messageId,
      ]);
    });

    it('requests a command and gets its reply; a reply after the timeout goes to onLateReply, once', async () => {
      const env = await h.environment();
      const wallet = h.service(await h.open(env, { service: 'wallet' }), 'wallet').consumer({
        name: 'wallet-charges',
        source: charges,
        handle: async (m, ctx) => {
          if (m.payload.slowMs !== undefined)
            await new Promise((resolve) => setTimeout(resolve, m.payload.slowMs));
          await ctx.reply(
            m.payload.amount > 100
              ? { status: 'rejected', rejection: { code: 'InsufficientFunds', message: 'too much' } }
              : { status: 'accepted', result: { charged: m.payload.amount } },
          );
        },
      });
      const refunds: string[] = [];
      const checkout = defineWorkflow({
        name: 'checkout',
        input: z.object({
          order: z.string(),
          amount: z.number(),
          slowMs: z.number().optional(),
          timeoutMs: z.number().optional(),
        }),
        replies: [chargeReplies],
        run: async (ctx, input) => {
          try {
            const reply = await ctx.request(
              'charge',
              charges,
              {
                type: 'Charge',
                key: input.order,
                payload: {
                  wallet: 'w',
                  amount: input.amount,
                  ...(input.slowMs === undefined ? {} : { slowMs: input.slowMs }),
                },
              },
              { replyTo: chargeReplies, timeout: input.timeoutMs ?? 300 },
            );
            return reply.status === 'accepted' ? 'paid' : `refused: ${reply.rejection.code}`;
          } catch (error) {
            if (isParleyError(error) && error.code === 'WORKFLOW_TIMEOUT') return 'timed out';
            throw error;
          }
        },
        onLateReply: async (ctx, late) => {
          if (late.message.type === 'CommandAccepted')
            await ctx.step('refund', () => Promise.resolve(void refunds.push(ctx.runId)));
        },
      });
      const shop = h.service(await h.open(env, { service: 'shop' }), 'shop').workflow(checkout);
      await wallet.start();
      await shop.start();
      const paid = await shop.workflows.start(checkout, 'c-1', { order: 'c-1', amount: 10 });
      const refused = await shop.workflows.start(checkout, 'c-2', { order: 'c-2', amount: 500 });
      const late = await shop.workflows.start(checkout, 'c-3', { order: 'c-3', amount: 10, slowMs: 900 });
      expect(await paid.result()).toBe('paid');
      expect(await refused.result()).toBe('refused: InsufficientFunds');
      expect(await late.result()).toBe('timed out');
      await waitUntil(() => refunds.length > 0, { what: 'the late reply to be refunded' });
      await shop.whenIdle();
      expect(refunds).toEqual(['c-3']);
      // Cancelled while its request is out: the reply that comes after the run ended is late too.
      const abandoned = await shop.workflows.start(checkout, 'c-4', {
        order: 'c-4',
        amount: 10,
        slowMs: 400,
        timeoutMs: 60_000,
      });
      await waitUntil(async () =>
        (await abandoned.journal()).entries.some((e) => e.entry.type === 'WaitStarted'),
      );
      await abandoned.cancel('customer left');
      await waitUntil(() => refunds.length > 1, { what: 'the reply to the cancelled run to be refunded' });
      await whenAllIdle([shop, wallet]);
      expect(refunds).toEqual(['c-3', 'c-4']);
      expect((await abandoned.journal()).status).toBe('cancelled');
    });

    it('starts a run from a handler, committed with the message, once per run id', async () => {
      const conn = await h.open(await h.environment());
      let shipped = 0;
      const shipping = defineWorkflow({
        name: 'shipping',
        input: order,
        run: async (ctx, input) => {
          await ctx.step('ship', () => Promise.resolve(void shipped++));
          return `shipped ${input.order}`;
        },
      });
      const service = h
        .service(conn, 'warehouse')
        .workflow(shipping)
        .consumer({
          name: 'approved-orders',
          source: signals,
          handle: {
            Approved: (m, ctx) => ctx.startWorkflow(shipping, m.payload.order, { order: m.payload.order }),
          },
        });
      await service.start();
      await service.publish(signals, [
        { type: 'Approved', key: 's-1', payload: { order: 's-1', by: 'a' } },
        { type: 'Approved', key: 's-1', payload: { order: 's-1', by: 'b' } },
        { type: 'Approved', key: 's-2', payload: { order: 's-2', by: 'a' } },
      ]);
      expect(await service.workflows.get(shipping, 's-1').result()).toBe('shipped s-1');
      expect(await service.workflows.get(shipping, 's-2').result()).toBe('shipped s-2');
      await service.whenIdle();
      expect(shipped).toBe(2);
      expect((await service.workflows.list({ workflow: 'shipping' })).map((r) => r.status)).toEqual([
        'completed',
        'completed',
      ]);
    });

    it('publishes exactly once; check finds where code diverges from a journal, and such a run parks', async () => {
      const env = await h.environment();
      const v1 = defineWorkflow({
        name: 'notify',
        input: order,
        run: async (ctx, input) => {
          await ctx.publish(notices, { type: 'Noticed', key: input.order, payload: { order: input.order } });
          await ctx.sleep(250);
          return 'v1';
        },
      });
      const first = h.service(await h.open(env), 'notifier').workflow(v1);
      await first.start();
      const handle = await first.workflows.start(v1, 'n-1', { order: 'n-1' });
      await waitUntil(async () =>
        (await handle.journal()).entries.some((e) => e.entry.type === 'TimerStarted'),
      );
      await first.stop();

      const v2 = defineWorkflow({
        name: 'notify',
        input: order,
        run: async (ctx) => {
          await ctx.step('audit', () => Promise.resolve('audited'));
          return 'v2';
        },
      });
      const conn = await h.open(env);
      // Before deploying v2, the gate: replaying the unfinished run against each version, with no side effects.
      const admin = createAdmin({ store: conn.store });
      const v3 = defineWorkflow({
        name: 'notify',
        input: order,
        run: async (ctx, input) => {
          if (await ctx.patched('audit')) await ctx.step('audit', () => Promise.resolve('audited'));
          await ctx.publish(notices, { type: 'Noticed', key: input.order, payload: { order: input.order } });
          await ctx.sleep(250);
          return 'v3';
        },
      });
      const before = (await handle.journal()).version;
      const head = { service: 'notifier', workflow: 'notify', runId: 'n-1', status: 'running' };
      expect(await admin.workflows.check([v2])).toEqual([
        {
          ...head,
          outcome: 'diverges',
          seq: '1',
          journal: 'publish publish',
          code: 'step audit',
          message: expect.stringMatching(/diverges from its journal at #1/) as unknown,
        },
      ]);
      expect(await admin.workflows.check([v1])).toEqual([{ ...head, outcome: 'ok' }]);
      expect(await admin.workflows.check([v3])).toEqual([{ ...head, outcome: 'ok' }]);
      expect(await admin.workflows.check([])).toEqual([{ ...head, outcome: 'unknown-workflow' }]);
      expect((await handle.journal()).version).toBe(before);

      const second = h.service(conn, 'notifier').workflow(v2);
      await second.start();
      await waitUntil(async () => (await handle.journal()).status === 'parked', { what: 'the run to park' });
      // Parked, it is checked again: the code that matches its journal would resume it.
      expect(await admin.workflows.check([v3])).toMatchObject([
        { runId: 'n-1', status: 'parked', outcome: 'ok' },
      ]);
      const parked = await handle.journal();
      expect(parked.error?.message).toMatch(/diverges from its journal at #1.*publish.*step audit/);
      let published = 0;
      for (let p = 0; p < notices.partitions; p++)
        published += (await conn.bus.read(notices.name, p, 0, 100)).length;
      expect(published).toBe(1);
    });
  });
}
