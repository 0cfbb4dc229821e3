// Test support: where the integration tests find PostgreSQL, what they do when it is not there, and fresh schemas.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';

/** The server the tests use; override with PARLEY_TEST_POSTGRES_URL. */
export const testUrl = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Pools stay small in tests: many stores are open at once and the server allows 100 connections. */
export const testPoolSize = 4;

/**
 * Test files hold this advisory lock in shared mode while they run; the restart test takes it exclusively, so
 * it restarts PostgreSQL only while no other test file uses it.
 */
const SERVER_LOCK = 7_250_117;

const reachable = await probe();

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: testUrl, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * `describe` for tests that need PostgreSQL. When it is unreachable: outside CI the block is skipped and a
 * skipped test names the reason; with `CI` set, a failing test does. `exclusive` takes the server lock
 * exclusively (for tests that restart the server) instead of shared.
 */
export function describePostgres(
  name: string,
  body: () => void,
  options: { exclusive?: boolean } = {},
): void {
  if (reachable !== undefined) {
    const notice = `PostgreSQL is unreachable at ${safeUrl()} (${reachable})`;
    if (process.env.CI) {
      describe(name, () => {
        it('needs PostgreSQL', () => {
          throw new Error(`${notice}; CI is set, so this fails instead of skipping`);
        });
      });
    } else {
      describe.skip(name, () => {
        it(`skipped: ${notice}; set PARLEY_TEST_POSTGRES_URL, or CI to fail instead`, () => {});
      });
    }
    return;
  }
  describe(name, () => {
    holdServerLock(options.exclusive === true);
    body();
  });
}

function holdServerLock(exclusive: boolean): void {
  let client: pg.Client | undefined;
  beforeAll(async () => {
    // A test that restarts the server drops this connection while it waits; try again until the server is back.
    const deadline = Date.now() + 110_000;
    for (;;) {
      const candidate = new pg.Client({ connectionString: testUrl, connectionTimeoutMillis: 3000 });
      candidate.on('error', () => {});
      try {
        await candidate.connect();
        await candidate.query(
          exclusive ? 'SELECT pg_advisory_lock($1)' : 'SELECT pg_advisory_lock_shared($1)',
          [SERVER_LOCK],
        );
        client = candidate;
        return;
      } catch (error) {
        await candidate.end().catch(() => {});
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }, 120_000);
  afterAll(async () => {
    await client?.end().catch(() => {});
  });
}

/** A random schema-name prefix for one test file: `parley_test_<random>`. */
export function randomSchemaName(): string {
  return `parley_test_${randomBytes(6).toString('hex')}`;
}

/**
 * Fresh schemas for one test file, all dropped after it: `next()` names a new one (`<base>_<n>`).
 * Call it at the top of a `describePostgres` block.
 */
export function useSchemas(): { readonly base: string; next(): string } {
  const base = randomSchemaName();
  let count = 0;
  afterAll(async () => {
    await dropSchemas(base);
  });
  return {
    base,
    next: () => `${base}_${++count}`,
  };
}

/** Drops `prefix` and every schema whose name starts with `prefix_`. */
export async function dropSchemas(prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: testUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace WHERE nspname = $1 OR starts_with(nspname, $1 || '_')`,
      [prefix],
    );
    for (const { name } of rows)
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
  } finally {
    await client.end();
  }
}

function safeUrl(): string {
  const url = new URL(testUrl);
  url.password = '';
  return url.toString();
}
