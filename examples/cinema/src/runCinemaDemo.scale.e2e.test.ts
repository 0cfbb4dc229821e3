import { describe, expect, it } from 'vitest';
import { runCinemaDemo } from './runCinemaDemo.ts';
import { holdPostgresTestLock, NATS_URL, POSTGRES_URL, reachable } from './testing/postgresTestLock.ts';

const servers = (await reachable(POSTGRES_URL, 5432)) && (await reachable(NATS_URL, 4222));

describe('cinema demo on PostgreSQL and NATS', () => {
  if (!servers && process.env.CI === undefined) {
    it.skip(
      `skipped: PostgreSQL (${POSTGRES_URL}) or NATS (${NATS_URL}) is not running; set CI to fail instead`,
    );
    return;
  }

  holdPostgresTestLock('shared');

  it(
    'runs the story with each service in its own process and two wallet instances, one killed mid-run',
    { timeout: 240_000 },
    async () => {
      expect(servers, 'PostgreSQL and NATS must be running in CI').toBe(true);
      const result = await runCinemaDemo({
        reservations: 300,
        seed: 11,
        store: POSTGRES_URL,
        bus: NATS_URL,
        processes: true,
        walletInstances: 2,
        killWallet: true,
        paymentTimeoutMs: 10_000,
      });
      expect(result.problems).toEqual([]);
      expect(result.invariants).toEqual({
        moneyConserved: true,
        noSeatSoldTwice: true,
        everyFailureAccountedFor: true,
      });
      expect(result.walletRestarts).toBe(1);
      expect(result.pending).toBe(0);
      expect(result.confirmed).toBeGreaterThan(0);
    },
  );
});
