import type { GroupProgress } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * Registers a consumer group's progress in a partition. Positions only move forward: a lower report changes
 * nothing (not even the time); an equal one refreshes the time.
 */
export async function recordProgress(
  db: Queryable,
  s: string,
  progress: { topic: string; group: string; partition: number; position: number },
): Promise<void> {
  const { topic, group, partition, position } = progress;
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`recordProgress: position must be a non-negative integer, got ${position}`);
  }
  await db.query(
    `INSERT INTO ${s}.group_progress AS p (topic, group_name, partition, position, updated_at)
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (topic, group_name, partition) DO UPDATE
       SET position = excluded.position, updated_at = excluded.updated_at
       WHERE p.position <= excluded.position`,
    [topic, group, partition, position],
  );
}

/** The registered groups of `topic` (all topics when undefined) and their progress, by topic, group, partition. */
export async function listProgress(db: Queryable, s: string, topic?: string): Promise<GroupProgress[]> {
  const { rows } = await db.query<{
    topic: string;
    group_name: string;
    partition: number;
    position: number;
    updated_at: Date;
  }>(
    `SELECT topic, group_name, partition, position, updated_at FROM ${s}.group_progress
     WHERE $1::text IS NULL OR topic = $1 ORDER BY topic, group_name, partition`,
    [topic ?? null],
  );
  return rows.map((row) => ({
    topic: row.topic,
    group: row.group_name,
    partition: row.partition,
    position: row.position,
    updatedAt: row.updated_at.toISOString(),
  }));
}
