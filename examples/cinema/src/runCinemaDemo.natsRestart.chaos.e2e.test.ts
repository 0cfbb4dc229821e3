import { afterAll, describe, expect, it } from 'vitest';
import { runCinemaDemo } from './runCinemaDemo.ts';
import { holdPostgresTestLock, POSTGRES_URL, reachable } from './testing/postgresTestLock.ts';
import { PrivateNatsServer } from './testing/privateNatsServer.ts';

const postgres = await reachable(POSTGRES_URL, 5432);

// The NATS server restarted here is one of the test's own (same binary, JetStream, a store directory kept across
// the restart), not the shared one at 4222. The shared server cannot be restarted safely: the NATS package's
// tests use it with SQLite stores, so no PostgreSQL advisory lock keeps them away, and its helpers connect with
// no reconnect at all — a restart would fail them at random. A private server needs no lock, and the shared one
// is never down, even when this test fails or times out; afterAll stops the private one.
describe('cinema demo while NATS restarts', () => {
  if ((!postgres || !PrivateNatsServer.available()) && process.env.CI === undefined) {
    it.skip(`skipped: PostgreSQL (${POSTGRES_URL}) and nats-server are needed; set CI to fail instead`);
    return;
  }
  // Shared: a test restarting PostgreSQL waits for this one.
  holdPostgresTestLock('shared');
  let nats: PrivateNatsServer | undefined;
  afterAll(() => nats?.dispose());

  it(
    'loses nothing and sells no seat twice when the bus restarts in the middle of the story',
    { timeout: 120_000 },
    async () => {
      expect(postgres && PrivateNatsServer.available(), 'PostgreSQL and nats-server must be here in CI').toBe(
        true,
      );
      nats = await PrivateNatsServer.start();
      const server = nats;
      let restart: Promise<void> | undefined;
      let restarted = false;
      try {
        const result = await runCinemaDemo({
          reservations: 600,
          seed: 9,
          store: POSTGRES_URL,
          bus: server.url,
          processes: true,
          paymentTimeoutMs: 10_000,
          // Reports what is still pending rather than running into the test's timeout.
          settleTimeoutMs: 80_000,
          onProgress: ({ phase, done }) => {
            // A third of the way in: every service has publishes, relays and consumers under way.
            if (phase === 'reserving' && done >= 200 && restart === undefined) {
              restart = (async () => {
                await server.stop();
                await new Promise((resolve) => setTimeout(resolve, 2000));
                await server.start();
                restarted = true;
              })();
            }
          },
        });
        await restart;
        expect(restarted, 'the restart happened during the run').toBe(true);
        expect(result.problems).toEqual([]);
        expect(result.invariants).toEqual({
          moneyConserved: true,
          noSeatSoldTwice: true,
          everyFailureAccountedFor: true,
        });
        expect(result.pending).toBe(0);
        expect(result.confirmed).toBeGreaterThan(0);
      } finally {
        // Whatever happened, the server runs again before the next test of this file.
        await restart?.catch(() => {});
        await server.start();
      }
    },
  );
});
