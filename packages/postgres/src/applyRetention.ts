import type { RetentionOutcome, RetentionPolicy } from '@parley/core';
import type { Queryable } from './Queryable.ts';
import type { TopicCatalog } from './TopicCatalog.ts';

interface OutcomeRow {
  partition: number;
  removed: number;
  held: number;
  lagging_group: string | null;
}

/**
 * Applies `policy` to every partition of `topic` at time `now` (ms), one statement per partition, each keeping
 * its outcome in `retention_outcomes`.
 *
 * The policy marks messages older than `now - maxAgeMs` (by `occurredAt`) and those beyond the newest
 * `maxMessages` of the partition. The retention guard: the floor of a partition is the lowest progress of the
 * topic's registered groups there — a group registered on the topic that never reported on this partition has
 * processed nothing of it (floor 0). Marked messages at or below the floor are removed; those above are held,
 * and the group at the floor (the first by name among equals) is named as lagging. Without registered groups,
 * every marked message is removed.
 */
export async function applyRetention(
  db: Queryable,
  s: string,
  catalog: TopicCatalog,
  topic: string,
  policy: RetentionPolicy,
  now: number,
): Promise<RetentionOutcome[]> {
  const { maxAgeMs, maxMessages } = policy;
  if (maxAgeMs !== undefined && !(Number.isFinite(maxAgeMs) && maxAgeMs >= 0)) {
    throw new RangeError(`retention of "${topic}": maxAgeMs must be a non-negative number, got ${maxAgeMs}`);
  }
  if (maxMessages !== undefined && !(Number.isSafeInteger(maxMessages) && maxMessages >= 0)) {
    throw new RangeError(
      `retention of "${topic}": maxMessages must be a non-negative integer, got ${maxMessages}`,
    );
  }
  if (!Number.isFinite(now))
    throw new RangeError(`retention of "${topic}": now must be a finite number of ms`);
  const partitions = (await catalog.partitionsOf(db, [topic])).get(topic) ?? 0;
  // occurred_ms is whole ms, so `< now - maxAgeMs` is `< ceil(now - maxAgeMs)`.
  const olderThan = maxAgeMs === undefined ? null : Math.ceil(now - maxAgeMs);
  const outcomes: RetentionOutcome[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const { rows } = await db.query<OutcomeRow>(
      `WITH floor AS (
         SELECT g.group_name, coalesce(p.position, 0) AS position
         FROM (SELECT DISTINCT group_name FROM ${s}.group_progress WHERE topic = $1) AS g
         LEFT JOIN ${s}.group_progress p ON p.topic = $1 AND p.group_name = g.group_name AND p.partition = $2
         ORDER BY position, g.group_name
         LIMIT 1
       ),
       newest_dropped AS (
         SELECT position FROM ${s}.messages WHERE topic = $1 AND partition = $2 AND $3::int IS NOT NULL
         ORDER BY position DESC OFFSET $3 LIMIT 1
       ),
       marked AS (
         SELECT position FROM ${s}.messages
         WHERE topic = $1 AND partition = $2
           AND (position <= (SELECT position FROM newest_dropped) OR occurred_ms < $4::int8)
       ),
       removed AS (
         DELETE FROM ${s}.messages m USING marked
         WHERE m.topic = $1 AND m.partition = $2 AND m.position = marked.position
           AND marked.position <= coalesce((SELECT position FROM floor), 9223372036854775807)
         RETURNING 1
       ),
       outcome AS (
         SELECT (SELECT count(*) FROM removed) AS removed,
                (SELECT count(*) FROM marked WHERE position > (SELECT position FROM floor)) AS held
       )
       INSERT INTO ${s}.retention_outcomes AS r (topic, partition, removed, held, lagging_group, applied_at)
       SELECT $1, $2, removed, held, CASE WHEN held > 0 THEN (SELECT group_name FROM floor) END, now()
       FROM outcome
       ON CONFLICT (topic, partition) DO UPDATE SET removed = excluded.removed, held = excluded.held,
         lagging_group = excluded.lagging_group, applied_at = excluded.applied_at
       RETURNING partition, removed, held, lagging_group`,
      [topic, partition, maxMessages ?? null, olderThan],
    );
    outcomes.push(...rows.map((row) => toOutcome(topic, row)));
  }
  return outcomes;
}

/** The outcome of the last retention run of each partition of `topic` (of every topic when undefined). */
export async function listRetention(db: Queryable, s: string, topic?: string): Promise<RetentionOutcome[]> {
  const { rows } = await db.query<OutcomeRow & { topic: string }>(
    `SELECT topic, partition, removed, held, lagging_group FROM ${s}.retention_outcomes
     WHERE $1::text IS NULL OR topic = $1 ORDER BY topic, partition`,
    [topic ?? null],
  );
  return rows.map((row) => toOutcome(row.topic, row));
}

function toOutcome(topic: string, row: OutcomeRow): RetentionOutcome {
  return {
    topic,
    partition: row.partition,
    removed: row.removed,
    held: row.held,
    laggingGroup: row.lagging_group,
  };
}
