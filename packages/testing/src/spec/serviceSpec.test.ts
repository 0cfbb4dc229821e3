import { createService } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { account, accountEvents, accountPublication, numbers } from '../conformance/fixtures.ts';
import { serviceSpec, type ServiceSpec } from './serviceSpec.ts';

describe('serviceSpec', () => {
  let spec: ServiceSpec | undefined;
  afterEach(async () => {
    await spec?.close();
    spec = undefined;
  });

  it('runs a real service on given messages, then shows its state, publications, dead letters and timers', async () => {
    const running = await serviceSpec((dependencies) =>
      createService({ name: 'bank', ...dependencies })
        .entity(account, { publish: accountPublication })
        .consumer({
          name: 'bank-deposits',
          source: numbers,
          retry: { immediateRetries: 0, delayedRetries: 3, initialInterval: 60_000 },
          handle: async (message, ctx) => {
            if (message.key === 'poison') throw new Error('cannot deposit for poison');
            await ctx.execute(account, message.key, { type: 'Deposit', data: { amount: 5 } });
            if (message.payload.seq === 3) {
              const reminder = { key: 'reminder', seq: 99 };
              await ctx.schedule(
                numbers,
                { type: 'Numbered', key: 'reminder', payload: reminder },
                { after: 60_000 },
              );
            }
          },
        }),
    );
    spec = running;
    await running.given(numbers, [
      { type: 'Numbered', key: 'alice', payload: { key: 'alice', seq: 1 } },
      { type: 'Numbered', key: 'poison', payload: { key: 'poison', seq: 2 } },
      { type: 'Numbered', key: 'alice', payload: { key: 'alice', seq: 3 } },
    ]);
    await running.idle();

    expect(await running.load(account, 'alice')).toMatchObject({ balance: 10, deposits: 2 });
    expect((await running.published(accountEvents)).map((m) => [m.key, m.payload])).toEqual([
      ['alice', { accountId: 'alice', amount: 5 }],
      ['alice', { accountId: 'alice', amount: 5 }],
    ]);
    // The poison message waits for its delayed retry, a minute away: idle does not wait for it, nor for the
    // reminder the handler scheduled.
    const [letter] = await running.deadLetters();
    expect(letter).toMatchObject({
      status: 'retrying',
      message: { key: 'poison' },
      error: { message: 'cannot deposit for poison' },
    });
    expect(letter!.dueAt).toBeGreaterThan(running.now() + 30_000);
    expect((await running.timers()).map((t) => t.message.key)).toEqual(['reminder']);

    // Two minutes later, in virtual time (no real waiting): the reminder was delivered and handled, and the poison
    // message retried.
    await running.advance(120_000);
    expect(await running.load(account, 'reminder')).toMatchObject({ balance: 5, deposits: 1 });
    expect(await running.timers()).toEqual([]);
    const [retried] = await running.deadLetters();
    expect(retried!.attempts).toBeGreaterThan(letter!.attempts);
  });

  it('says what is still busy when the service does not settle', async () => {
    const running = await serviceSpec(
      (dependencies) =>
        createService({ name: 'slow', ...dependencies }).consumer({
          name: 'slow-consumer',
          source: numbers,
          handle: () => new Promise((resolve) => setTimeout(resolve, 2000)),
        }),
      { idleTimeoutMs: 300 },
    );
    spec = running;
    await running.given(numbers, { type: 'Numbered', key: 'k', payload: { key: 'k', seq: 1 } });
    await expect(running.idle()).rejects.toThrow(/not idle after 300 ms: .*consumer slow-consumer/);
  });
});
