import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { InstanceSlot, InstanceSlots, Logger } from '@parley/core';
import type { PostgresDatabase } from './openDatabase.ts';

/** A process that holds more names than this for one service is surely leaking them. */
const MAX_SLOTS = 4096;
const RETAKE_MS = 1000;

/**
 * Instance names held by PostgreSQL session advisory locks: name `<service>-<n>` is the lock (hash of schema and
 * service, n), held on a connection of its own. The server drops it the moment that connection ends — when the
 * process dies, at once — so a restarted process claims its predecessor's name. If the connection is lost while
 * the process lives (a server restart), the lock is taken back as soon as the server answers again; should another
 * process have claimed the name in between, that is logged as an error (checkpoint fencing still keeps the two
 * from committing over each other).
 */
export function createInstanceSlots(
  database: PostgresDatabase,
  logger: Logger,
): InstanceSlots & { releaseAll(): Promise<void> } {
  const held = new Set<InstanceSlot>();
  return {
    async releaseAll() {
      await Promise.all([...held].map((slot) => slot.release()));
    },
    async claim(service) {
      const slot = await claimSlot(database, logger, service);
      held.add(slot);
      return {
        id: slot.id,
        release: () => {
          held.delete(slot);
          return slot.release();
        },
      };
    },
  };
}

async function claimSlot(database: PostgresDatabase, logger: Logger, service: string): Promise<InstanceSlot> {
  const space = lockSpace(database.schema, service);
  const client = await database.session();
  try {
    for (let n = 0; n < MAX_SLOTS; n++) {
      if (await tryLock(client, space, n)) return hold(database, logger, client, space, `${service}-${n}`, n);
    }
  } catch (error) {
    client.release(true);
    throw error;
  }
  client.release();
  throw new Error(`every one of ${MAX_SLOTS} instance names of ${service} is taken`);
}

function hold(
  database: PostgresDatabase,
  logger: Logger,
  first: pg.PoolClient,
  space: number,
  id: string,
  n: number,
): InstanceSlot {
  let client: pg.PoolClient | undefined = first;
  let released = false;
  let retaking: ReturnType<typeof setTimeout> | undefined;

  const lost = (held: pg.PoolClient) => () => {
    if (released || client !== held) return;
    client = undefined;
    held.release(true);
    logger.warn({ instance: id }, 'the connection holding this instance name was lost; taking it back');
    retake();
  };
  const watch = (held: pg.PoolClient) => {
    held.on('error', lost(held));
    held.on('end', lost(held));
  };
  const retake = () => {
    retaking = setTimeout(() => {
      retaking = undefined;
      void (async () => {
        let next: pg.PoolClient | undefined;
        try {
          next = await database.session();
          if (released) return next.release();
          if (!(await tryLock(next, space, n))) {
            next.release();
            logger.error(
              { instance: id },
              'another process took this instance name while the connection was lost: give each process its own instanceId',
            );
            return;
          }
          client = next;
          watch(next);
        } catch {
          next?.release(true);
          if (!released) retake();
        }
      })();
    }, RETAKE_MS);
    retaking.unref();
  };

  watch(first);
  return {
    id,
    async release() {
      if (released) return;
      released = true;
      if (retaking !== undefined) clearTimeout(retaking);
      const held = client;
      client = undefined;
      if (held === undefined) return;
      try {
        await held.query('SELECT pg_advisory_unlock($1, $2)', [space, n]);
        held.release();
      } catch {
        // The lock ends with the connection anyway.
        held.release(true);
      }
    },
  };
}

async function tryLock(client: pg.PoolClient, space: number, n: number): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
    space,
    n,
  ]);
  return rows[0]?.locked === true;
}

/** Advisory locks are shared by the whole database: the key space of one service in one schema. */
function lockSpace(schema: string, service: string): number {
  return createHash('sha256').update(`parley-instance\0${schema}\0${service}`).digest().readInt32BE(0);
}
