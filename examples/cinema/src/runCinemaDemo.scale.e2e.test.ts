import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCinemaDemo } from './runCinemaDemo.ts';

const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Whether something listens at a URL's host and port. */
function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || defaultPort) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const servers = (await reachable(POSTGRES_URL, 5432)) && (await reachable(NATS_URL, 4222));

/**
 * The advisory lock PostgreSQL test files hold in shared mode while they run (see @parley/postgres's test kit):
 * the test that restarts the server takes it exclusively, so it never restarts PostgreSQL under this one.
 */
const POSTGRES_TEST_LOCK = 7_250_117;

describe('cinema demo on PostgreSQL and NATS', () => {
  if (!servers && process.env.CI === undefined) {
    it.skip(
      `skipped: PostgreSQL (${POSTGRES_URL}) or NATS (${NATS_URL}) is not running; set CI to fail instead`,
    );
    return;
  }

  let lock: pg.Client | undefined;
  beforeAll(async () => {
    const deadline = Date.now() + 110_000;
    for (;;) {
      const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('SELECT pg_advisory_lock_shared($1)', [POSTGRES_TEST_LOCK]);
        lock = client;
        return;
      } catch (error) {
        await client.end().catch(() => {});
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }, 120_000);
  afterAll(() => lock?.end());

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
