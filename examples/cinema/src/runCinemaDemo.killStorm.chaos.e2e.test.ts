import { describe, expect, it } from 'vitest';
import { runCinemaDemo, type CinemaDemoResult } from './runCinemaDemo.ts';
import { holdPostgresTestLock, NATS_URL, POSTGRES_URL, reachable } from './testing/postgresTestLock.ts';

const servers = (await reachable(POSTGRES_URL, 5432)) && (await reachable(NATS_URL, 4222));

function expectStoryIntact(result: CinemaDemoResult, kills: number): void {
  expect(result.problems).toEqual([]);
  expect(result.kills).toHaveLength(kills);
  const victims = new Set(result.kills.map((k) => k.process.replace(/-\d+$/, '')));
  expect([...victims].sort(), 'both services died at least once').toEqual(['show', 'wallet']);
  expect(result.invariants).toEqual({
    moneyConserved: true,
    noSeatSoldTwice: true,
    everyFailureAccountedFor: true,
  });
  expect(result.settled).toBe(true);
  expect(result.pending).toBe(0);
  expect(result.confirmed).toBeGreaterThan(0);
}

// Service processes die by SIGKILL at seeded random moments (a pause of 0.3–1.5 s before each kill, one after
// another, each restarted at once) while the story runs: every kill lands mid-commit, mid-relay or mid-restart.
describe('cinema demo under a SIGKILL storm', () => {
  it(
    'on SQLite (a file per service and one for the bus): every invariant holds and the story settles',
    { timeout: 120_000 },
    async () => {
      const result = await runCinemaDemo({
        reservations: 400,
        seed: 4,
        processes: true,
        killStorm: { kills: 6, pauseMs: [300, 1500] },
        paymentTimeoutMs: 4000,
        slowChargeMs: 5000,
      });
      expectStoryIntact(result, 6);
    },
  );

  describe('on PostgreSQL and NATS, with two wallet instances', () => {
    if (!servers && process.env.CI === undefined) {
      it.skip(
        `skipped: PostgreSQL (${POSTGRES_URL}) or NATS (${NATS_URL}) is not running; set CI to fail instead`,
      );
      return;
    }
    holdPostgresTestLock('shared');

    it('every invariant holds and the story settles', { timeout: 120_000 }, async () => {
      expect(servers, 'PostgreSQL and NATS must be running in CI').toBe(true);
      const result = await runCinemaDemo({
        reservations: 400,
        seed: 4,
        store: POSTGRES_URL,
        bus: NATS_URL,
        processes: true,
        walletInstances: 2,
        killStorm: { kills: 6, pauseMs: [300, 1500] },
        paymentTimeoutMs: 6000,
        slowChargeMs: 7000,
      });
      expectStoryIntact(result, 6);
    });
  });
});
