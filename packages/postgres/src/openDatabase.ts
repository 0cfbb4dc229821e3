import { createHash } from 'node:crypto';
import pg from 'pg';
import { ParleyError, type Logger } from '@parley/core';
import { createChangeNotifier, type ChangeNotifier, type ChangeSignal } from './changeNotifier.ts';
import { connectClient } from './connectClient.ts';
import { isConnectionLoss, isRefusedByServer, wasNeverSent } from './connectionLoss.ts';
import { migrate } from './migrate.ts';
import { withPreparedStatements } from './preparedStatements.ts';
import type { Queryable } from './Queryable.ts';
import type { ResolvedTarget } from './resolveTarget.ts';

/** The connection side of a store or a bus: a pool on one schema, migrated on first use, and its notifier. */
export interface PostgresDatabase {
  readonly schema: string;
  /** The schema as a quoted identifier, to prefix table names in SQL. */
  readonly s: string;
  /** The NOTIFY channel of the schema. */
  readonly channel: string;
  readonly description: string;
  readonly changes: ChangeNotifier;
  /** Runs `work` once the schema is migrated; rejects after `close`. */
  readonly run: <T>(work: (db: Queryable) => Promise<T>) => Promise<T>;
  /**
   * Runs `work` in a transaction on one client: COMMIT when it resolves, ROLLBACK when it throws (rethrowing).
   * A client whose rollback fails is destroyed rather than returned to the pool. The signals `work` resolves
   * with are sent on the schema's channel with NOTIFY in the COMMIT's round trip (PostgreSQL delivers them only
   * if the transaction commits).
   */
  transaction(work: (client: Queryable) => Promise<ChangeSignal[]>): Promise<ChangeSignal[]>;
  /**
   * A client of the pool for the caller alone, e.g. to hold session locks; the caller releases it (destroying it
   * if it failed). Counts against the pool's size while held.
   */
  session(): Promise<pg.PoolClient>;
  /** The random id of the schema (table `instance`): equal ids mean one database and one schema. */
  identity(): Promise<string>;
  /** Waits for pending calls, stops the notifier and ends the pool if it owns it. Idempotent. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  readonly logger: Logger;
  /** @default 10 */
  readonly poolSize?: number;
  /**
   * How long a call waits for a lost connection to come back (a server restart, a failover) before it fails, in
   * ms. Calls are retried on a new connection meanwhile, so callers see only the delay. Only once the server has
   * answered: before that, an unreachable server fails calls at once.
   * @default 60000
   */
  readonly reconnectTimeoutMs?: number;
  /** Statements with parameters go as named prepared statements (see {@link withPreparedStatements}). @default true */
  readonly prepareStatements?: boolean;
}

// int8 columns (positions, counts, ms timestamps) come back as JS numbers: they stay far below 2^53.
const INT8_OID = 20;
const defaultParser = (oid: number, format?: 'text' | 'binary'): unknown =>
  pg.types.getTypeParser(oid, format) as unknown;
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : defaultParser(oid, format),
};

/**
 * Opens a pool (unless the target brings one) on the target's schema. Nothing connects until the first call:
 * then the schema is created and migrated. A failed migration (say, the server is down) is retried by the next
 * call rather than remembered, so a store created while PostgreSQL is away starts working once it is back.
 */
export function openDatabase(target: ResolvedTarget, options: OpenDatabaseOptions): PostgresDatabase {
  const { logger } = options;
  const owned = target.pool === undefined;
  const pool =
    target.pool ??
    new pg.Pool({
      connectionString: target.connectionString,
      max: options.poolSize ?? 10,
      types,
      keepAlive: true,
      allowExitOnIdle: true,
      connectionTimeoutMillis: 10_000,
    });
  // An idle client whose server went away emits 'error' on the pool; without a listener the process would die.
  const onPoolError = (error: Error) =>
    // pg attaches the client to the error: log what matters, not the connection's internals.
    logger.warn(
      { err: { name: error.name, message: error.message, code: (error as { code?: unknown }).code } },
      'an idle PostgreSQL connection failed',
    );
  pool.on('error', onPoolError);
  const schema = target.schema;
  const s = pg.escapeIdentifier(schema);
  const channel = channelFor(schema);
  const changes = createChangeNotifier({ connect: () => connectClient(pool), channel, logger });
  const pending = new Set<Promise<unknown>>();
  let migrated: Promise<void> | undefined;
  /** The server has answered once: from then on, a lost connection is an outage to wait out. */
  let answered = false;
  let closed: Promise<void> | undefined;
  let identity: string | undefined;

  function ready(): Promise<void> {
    migrated ??= migrate(pool, schema, { logger }).then(
      () => void (answered = true),
      (error: unknown) => {
        migrated = undefined;
        throw error;
      },
    );
    return migrated;
  }

  function track<T>(work: () => Promise<T>): Promise<T> {
    if (closed !== undefined) return Promise.reject(new Error(`${target.description} is closed`));
    const call = ready().then(work);
    const settled: Promise<unknown> = call.then(
      () => pending.delete(settled),
      () => pending.delete(settled),
    );
    pending.add(settled);
    return call;
  }

  const reconnectTimeoutMs = options.reconnectTimeoutMs ?? 60_000;
  let outage: number | undefined;

  /**
   * Runs `work`, and runs it again on a new connection while the connection is lost, until the server answers
   * or `reconnectTimeoutMs` has passed. `work` must be safe to repeat after such a failure.
   */
  async function reconnecting<T>(what: string, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + reconnectTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work();
        if (outage !== undefined) {
          logger.warn({ downMs: Date.now() - outage }, `${target.description}: connection back`);
          outage = undefined;
        }
        return result;
      } catch (error) {
        // A server that never answered is a wrong address or one not up yet: the caller hears of it at once.
        if (!answered || !isConnectionLoss(error) || closed !== undefined || Date.now() >= deadline)
          throw error;
        if (outage === undefined) {
          outage = Date.now();
          logger.warn(
            { err: error },
            `${target.description}: connection lost; retrying ${what} until the server answers (up to ${reconnectTimeoutMs} ms)`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      }
    }
  }

  const prepare = options.prepareStatements ?? true;
  const statementsOf = (db: pg.Pool | pg.PoolClient): Queryable =>
    prepare ? withPreparedStatements(db) : db;
  const statements = statementsOf(pool);

  async function transaction(work: (client: Queryable) => Promise<ChangeSignal[]>): Promise<ChangeSignal[]> {
    const client = await connectClient(pool);
    let broken: Error | undefined;
    let committing = false;
    try {
      await client.query('BEGIN');
      try {
        const signals = await work(statementsOf(client));
        committing = true;
        await client.query(commitStatement(channel, signals));
        return signals;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        // Cut while the COMMIT was on its way, with no answer from the server: it may have committed. Repeating
        // it could apply it twice, so the caller hears that the outcome is unknown.
        if (committing && isConnectionLoss(error) && !isRefusedByServer(error) && !wasNeverSent(error)) {
          throw new ParleyError(
            'COMMIT_OUTCOME_UNKNOWN',
            `${target.description}: the connection was lost during COMMIT; the transaction may or may not have committed`,
            { cause: error },
          );
        }
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  return {
    schema,
    s,
    channel,
    description: target.description,
    changes,
    run: (work) => track(() => reconnecting('a statement', () => work(statements))),
    transaction: (work) => track(() => reconnecting('a transaction', () => transaction(work))),
    session: () => track(() => reconnecting('a connection', () => connectClient(pool))),
    identity: () =>
      track(async () => {
        if (identity === undefined) {
          const { rows } = await pool.query<{ id: string }>(`SELECT id FROM ${s}.instance`);
          identity = rows[0]?.id ?? '';
        }
        return identity;
      }),
    close() {
      closed ??= (async () => {
        await Promise.all(pending);
        await changes.close();
        if (owned) await pool.end();
        else pool.off('error', onPoolError);
      })();
      return closed;
    },
  };
}

/** `parley:<schema>`, or a hash of it when that would pass PostgreSQL's 63-byte identifier limit. */
function channelFor(schema: string): string {
  const channel = `parley:${schema}`;
  if (Buffer.byteLength(channel) <= 63) return channel;
  return `parley:${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/**
 * COMMIT, preceded by the NOTIFY of `signals` in the same simple query: one round trip. The values are quoted as
 * literals (a simple query takes no parameters); if the NOTIFY fails, PostgreSQL skips the COMMIT after it and
 * the caller rolls back.
 */
function commitStatement(channel: string, signals: ReadonlyArray<ChangeSignal>): string {
  if (signals.length === 0) return 'COMMIT';
  const values = signals.map((signal) => pg.escapeLiteral(signal)).join(', ');
  return `SELECT pg_notify(${pg.escapeLiteral(channel)}, signal) FROM unnest(ARRAY[${values}]::text[]) AS signal; COMMIT`;
}
