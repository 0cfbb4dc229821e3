import type Database from 'better-sqlite3';
import type { Lease, LeaseStore } from '@parley/core';

/**
 * Partition leases in a SQLite table: compare-and-set by revision inside `BEGIN IMMEDIATE`, so processes sharing
 * the file never both win one lease.
 */
export function createSqliteLeases(db: Database.Database, run: <T>(work: () => T) => Promise<T>): LeaseStore {
  const read = db.prepare(
    'SELECT partition, owner, expires_at, revision FROM leases WHERE scope = ? ORDER BY partition',
  );
  const current = db.prepare('SELECT revision FROM leases WHERE scope = ? AND partition = ?');
  const insert = db.prepare(
    'INSERT INTO leases (scope, partition, owner, expires_at, revision) VALUES (?, ?, ?, ?, 1)',
  );
  const update = db.prepare(
    'UPDATE leases SET owner = ?, expires_at = ?, revision = revision + 1 WHERE scope = ? AND partition = ? AND revision = ?',
  );
  const beat = db.prepare(
    `INSERT INTO lease_members (scope, member, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (scope, member) DO UPDATE SET expires_at = excluded.expires_at`,
  );
  const prune = db.prepare('DELETE FROM lease_members WHERE scope = ? AND expires_at <= ?');
  const alive = db.prepare(
    'SELECT member FROM lease_members WHERE scope = ? AND expires_at > ? ORDER BY member',
  );
  const remove = db.prepare('DELETE FROM lease_members WHERE scope = ? AND member = ?');

  const write = db.transaction(
    (scope: string, partition: number, owner: string, expiresAt: number, expected: number) => {
      const row = current.get(scope, partition) as { revision: number } | undefined;
      if ((row?.revision ?? 0) !== expected) return undefined;
      if (row === undefined) {
        insert.run(scope, partition, owner, expiresAt);
        return 1;
      }
      update.run(owner, expiresAt, scope, partition, expected);
      return expected + 1;
    },
  );
  const heartbeat = db.transaction((scope: string, member: string, expiresAt: number, now: number) => {
    beat.run(scope, member, expiresAt);
    prune.run(scope, now);
    return (alive.all(scope, now) as Array<{ member: string }>).map((m) => m.member);
  });

  return {
    readLeases: (scope) =>
      run(() =>
        (
          read.all(scope) as Array<{ partition: number; owner: string; expires_at: number; revision: number }>
        ).map((row): Lease => ({
          partition: row.partition,
          owner: row.owner,
          expiresAt: row.expires_at,
          revision: row.revision,
        })),
      ),
    writeLease: (scope, partition, owner, expiresAt, expected) =>
      run(() => write.immediate(scope, partition, owner, expiresAt, expected)),
    heartbeat: (scope, member, expiresAt, now) =>
      run(() => heartbeat.immediate(scope, member, expiresAt, now)),
    leave: (scope, member) => run(() => void remove.run(scope, member)),
  };
}
