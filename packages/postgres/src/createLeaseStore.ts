import type { Lease, LeaseStore } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * A {@link LeaseStore} on the `leases` and `lease_members` tables of one schema. Compare-and-set is a single
 * conditional statement, so concurrent writers of one partition serialise on its row and exactly one wins.
 * `run` gives each call a connection (and waits for the schema to be migrated).
 */
export function createLeaseStore(
  run: <T>(work: (db: Queryable) => Promise<T>) => Promise<T>,
  s: string,
): LeaseStore {
  return {
    readLeases: (scope) =>
      run(async (db) => {
        const { rows } = await db.query<Lease>(
          `SELECT partition, owner, expires_at AS "expiresAt", revision FROM ${s}.leases
           WHERE scope = $1 ORDER BY partition`,
          [scope],
        );
        return rows;
      }),

    writeLease: (scope, partition, owner, expiresAt, expectedRevision) =>
      run(async (db) => {
        const { rows } =
          expectedRevision === 0
            ? await db.query<{ revision: number }>(
                `INSERT INTO ${s}.leases (scope, partition, owner, expires_at, revision)
                 VALUES ($1, $2, $3, $4, 1) ON CONFLICT (scope, partition) DO NOTHING RETURNING revision`,
                [scope, partition, owner, Math.ceil(expiresAt)],
              )
            : await db.query<{ revision: number }>(
                `UPDATE ${s}.leases SET owner = $3, expires_at = $4, revision = revision + 1
                 WHERE scope = $1 AND partition = $2 AND revision = $5 RETURNING revision`,
                [scope, partition, owner, Math.ceil(expiresAt), expectedRevision],
              );
        return rows[0]?.revision;
      }),

    heartbeat: (scope, member, expiresAt, now) =>
      run(async (db) => {
        // Also forgets members that expired: they would only grow the table. The final SELECT sees the table as
        // it was before this statement, hence the member itself is added apart.
        const { rows } = await db.query<{ member: string }>(
          `WITH beat AS (
             INSERT INTO ${s}.lease_members (scope, member, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (scope, member) DO UPDATE SET expires_at = excluded.expires_at
           ),
           expired AS (
             DELETE FROM ${s}.lease_members WHERE scope = $1 AND member <> $2 AND expires_at <= $4
           )
           SELECT member FROM ${s}.lease_members WHERE scope = $1 AND member <> $2 AND expires_at > $4`,
          // Whole ms: expires_at is an integer, so `> now` is `> floor(now)`.
          [scope, member, Math.ceil(expiresAt), Math.floor(now)],
        );
        const members = rows.map((row) => row.member);
        if (expiresAt > now) members.push(member);
        return members.sort();
      }),

    leave: (scope, member) =>
      run(async (db) => {
        await db.query(`DELETE FROM ${s}.lease_members WHERE scope = $1 AND member = $2`, [scope, member]);
      }),
  };
}
