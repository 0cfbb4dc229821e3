import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCinemaDemo } from './runCinemaDemo.ts';
import {
  holdPostgresTestLock,
  localPostgresCluster,
  NATS_URL,
  POSTGRES_URL,
  reachable,
} from './testing/postgresTestLock.ts';

const servers = (await reachable(POSTGRES_URL, 5432)) && (await reachable(NATS_URL, 4222));
const cluster = localPostgresCluster();

describe('cinema demo while PostgreSQL restarts', () => {
  if ((!servers || cluster === undefined) && process.env.CI === undefined) {
    it.skip(
      `skipped: PostgreSQL (${POSTGRES_URL}) restartable with pg_ctlcluster, and NATS (${NATS_URL}), are needed; set CI to fail instead`,
    );
    return;
  }
  holdPostgresTestLock('exclusive');

  it(
    'loses nothing and sells no seat twice when the database restarts in the middle of the story',
    { timeout: 240_000 },
    async () => {
      expect(servers && cluster !== undefined, 'PostgreSQL (restartable) and NATS must be here in CI').toBe(
        true,
      );
      let restart: Promise<unknown> | undefined;
      const result = await runCinemaDemo({
        reservations: 600,
        seed: 5,
        store: POSTGRES_URL,
        bus: NATS_URL,
        paymentTimeoutMs: 10_000,
        onProgress: ({ phase, done }) => {
          // A third of the way in: every service has commits, relays and consumers under way.
          if (phase === 'reserving' && done >= 200 && restart === undefined) {
            restart = promisify(execFile)(
              'pg_ctlcluster',
              ['--skip-systemctl-redirect', cluster!, 'main', 'restart'],
              { timeout: 60_000 },
            );
          }
        },
      });
      await restart;
      expect(restart, 'the restart happened during the run').toBeDefined();
      expect(result.problems).toEqual([]);
      expect(result.invariants).toEqual({
        moneyConserved: true,
        noSeatSoldTwice: true,
        everyFailureAccountedFor: true,
      });
      expect(result.pending).toBe(0);
      expect(result.confirmed).toBeGreaterThan(0);
    },
  );
});
