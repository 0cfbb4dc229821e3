import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Whether something listens at a URL's host and port. */
export function reachable(url: string, defaultPort: number): Promise<boolean> {
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

/**
 * The advisory lock PostgreSQL test files hold in shared mode while they run (see @parley/postgres's test kit);
 * a test that restarts the server takes it exclusively, so it never restarts PostgreSQL under another test.
 */
const POSTGRES_TEST_LOCK = 7_250_117;

/** Holds the test lock for the enclosing `describe`: shared, or exclusive for a test that restarts the server. */
export function holdPostgresTestLock(mode: 'shared' | 'exclusive'): void {
  let lock: pg.Client | undefined;
  beforeAll(async () => {
    // A test that restarts the server drops this connection while it waits; try again until the server is back.
    const deadline = Date.now() + 110_000;
    for (;;) {
      const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query(
          mode === 'exclusive' ? 'SELECT pg_advisory_lock($1)' : 'SELECT pg_advisory_lock_shared($1)',
          [POSTGRES_TEST_LOCK],
        );
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
}

/** The local cluster's version when `pg_ctlcluster` can restart it (Debian's postgresql-common), else undefined. */
export function localPostgresCluster(): string | undefined {
  try {
    execFileSync('pg_ctlcluster', ['--help'], { stdio: 'ignore' });
  } catch (error) {
    // Exits non-zero after printing its usage when present; only a missing binary is ENOENT.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  const versions = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : [];
  return versions.length === 1 ? versions[0] : undefined;
}
