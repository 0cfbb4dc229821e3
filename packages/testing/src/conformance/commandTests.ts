import { ValidationError } from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { account } from './fixtures.ts';
import { useHarness } from './harness.ts';

/** Entity commands: idempotency by command id, rejections, validation, concurrent writers. */
export function commandTests(target: ConformanceTarget): void {
  describe('commands', () => {
    const h = useHarness(target);

    it('returns the first outcome for a repeated command id and appends nothing', async () => {
      const conn = await h.open(await h.environment());
      const bank = h.service(conn, 'bank').entity(account);
      const first = await bank.execute(
        account,
        'a',
        { type: 'Deposit', data: { amount: 5 } },
        { commandId: 'cmd-1' },
      );
      const again = await bank.execute(
        account,
        'a',
        { type: 'Deposit', data: { amount: 5 } },
        { commandId: 'cmd-1' },
      );
      expect(first).toMatchObject({ status: 'accepted', version: 1, duplicate: false });
      expect(again).toMatchObject({ status: 'accepted', version: 1, duplicate: true, events: [] });
      expect((await bank.load(account, 'a')).state.balance).toBe(5);
      expect(await conn.store.readStream(account.name, 'a', 0)).toHaveLength(1);
    });

    it('remembers rejections, which are not events', async () => {
      const conn = await h.open(await h.environment());
      const bank = h.service(conn, 'bank').entity(account);
      await bank.execute(account, 'a', { type: 'Deposit', data: { amount: 999_999 } });
      const rejected = await bank.execute(
        account,
        'a',
        { type: 'Deposit', data: { amount: 10 } },
        { commandId: 'big' },
      );
      expect(rejected).toMatchObject({
        status: 'rejected',
        rejection: { code: 'LimitExceeded', details: { balance: 999_999 } },
      });
      const replay = await bank.execute(
        account,
        'a',
        { type: 'Deposit', data: { amount: 10 } },
        { commandId: 'big' },
      );
      expect(replay).toMatchObject({
        status: 'rejected',
        duplicate: true,
        rejection: { code: 'LimitExceeded' },
      });
      expect(await conn.store.readStream(account.name, 'a', 0)).toHaveLength(1);
    });

    it('refuses an invalid command with a clear error and writes nothing', async () => {
      const conn = await h.open(await h.environment());
      const bank = h.service(conn, 'bank').entity(account);
      await expect(bank.execute(account, 'a', { type: 'Deposit', data: { amount: -3 } })).rejects.toThrow(
        ValidationError,
      );
      await expect(bank.execute(account, 'a', { type: 'Withdraw', data: {} } as never)).rejects.toThrow(
        /no command "Withdraw"/,
      );
      expect(await conn.store.readStream(account.name, 'a', 0)).toHaveLength(0);
    });

    it('handles many commands at once, each with its own outcome, when one of them repeats a command id', async () => {
      const conn = await h.open(await h.environment());
      const bank = h.service(conn, 'bank').entity(account);
      await bank.execute(account, 'z', { type: 'Deposit', data: { amount: 7 } }, { commandId: 'taken' });
      // Committed together where the store allows; the repeated id must not take the others down with it.
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          bank.execute(
            account,
            `s${i}`,
            { type: 'Deposit', data: { amount: i + 1 } },
            i === 17 ? { commandId: 'taken' } : {},
          ),
        ),
      );
      outcomes.forEach((outcome, i) =>
        expect(outcome).toMatchObject(
          i === 17
            ? { status: 'accepted', entityId: 'z', duplicate: true }
            : { status: 'accepted', entityId: `s${i}`, version: 1, duplicate: false },
        ),
      );
      for (let i = 0; i < 40; i++) {
        const events = await conn.store.readStream(account.name, `s${i}`, 0);
        expect(events.map((e) => e.data)).toEqual(i === 17 ? [] : [{ amount: i + 1 }]);
      }
      expect((await bank.load(account, 'z')).state.balance).toBe(7);
    });

    it.runIf(target.features.multiInstance)(
      'serialises concurrent writers to one stream without losing updates',
      async () => {
        const env = await h.environment();
        const [one, two] = [await h.open(env), await h.open(env)];
        const a = h.service(one, 'bank').entity(account);
        const b = h.service(two, 'bank').entity(account);
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 === 0 ? a : b).execute(account, 'shared', { type: 'Deposit', data: { amount: 1 } }),
          ),
        );
        const events = await one.store.readStream(account.name, 'shared', 0);
        expect(events.map((e) => e.version)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect((await a.load(account, 'shared')).state.balance).toBe(40);
      },
    );

    it.runIf(target.features.multiInstance)(
      'applies one command id once even when two instances race',
      async () => {
        const env = await h.environment();
        const [one, two] = [await h.open(env), await h.open(env)];
        const a = h.service(one, 'bank').entity(account);
        const b = h.service(two, 'bank').entity(account);
        const outcomes = await Promise.all(
          [a, b, a, b].map((s) =>
            s.execute(account, 'x', { type: 'Deposit', data: { amount: 3 } }, { commandId: 'once' }),
          ),
        );
        expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(1);
        expect((await a.load(account, 'x')).state.balance).toBe(3);
      },
    );
  });
}
