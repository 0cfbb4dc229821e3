import type { Queryable } from './Queryable.ts';

/**
 * What a transaction is about to append to: entity types (events) and topic partitions (messages).
 *
 * Why: consumers read "position > checkpoint" per entity type and per topic partition, and positions come from a
 * sequence. Sequence values are drawn at insert time but become visible at commit time, so without care a
 * transaction holding position 7 may commit after another committed 8; a reader that saw 8 moves its checkpoint
 * past 7 and never reads it. Each appender therefore takes a transaction-scoped advisory lock per entity type and
 * per partition it appends to, before drawing any position, and keeps it until its commit is visible (PostgreSQL
 * releases transaction locks after the commit is visible to new snapshots). Within one lock key, positions are
 * then drawn and made visible in the same order. Different keys still run in parallel.
 *
 * The alternative — recording `pg_current_xact_id()` with each row and reading only below
 * `pg_snapshot_xmin(pg_current_snapshot())` — lets writers run fully in parallel but holds every reader back
 * behind the oldest running transaction of the whole database (a long report query would stall consumers), and
 * costs a column per row. Locks cost a short wait for writers of the same partition only, and they are held only
 * for the appends and the commit: the commit takes them after its other writes.
 */
export interface PositionLocks {
  readonly entities: Iterable<string>;
  readonly partitions: Iterable<{ readonly topic: string; readonly partition: number }>;
}

/**
 * Takes the locks of `locks` in one statement, in the order of their 64-bit keys. Transactions lock entity types
 * before partitions (a commit locks its entity types, appends events, then locks its partitions), so every
 * transaction takes locks in one total order and two appenders never wait for each other in a cycle. Keys
 * include the schema, so schemas do not contend (a hash collision only costs an unneeded wait). Run it inside
 * the appending transaction.
 */
export async function lockPositions(db: Queryable, schema: string, locks: PositionLocks): Promise<void> {
  const names = new Set<string>();
  for (const entity of locks.entities) names.add(JSON.stringify([schema, 'events', entity]));
  for (const { topic, partition } of locks.partitions)
    names.add(JSON.stringify([schema, 'messages', topic, partition]));
  if (names.size === 0) return;
  // The subquery sorts; the outer query then calls the (volatile) lock function row by row in that order.
  await db.query(
    `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended(name, 0) AS k FROM unnest($1::text[]) AS name ORDER BY k
     ) AS keys`,
    [[...names]],
  );
}
