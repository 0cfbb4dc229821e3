import type Database from 'better-sqlite3';
import type { GroupProgress, RetentionOutcome, RetentionPolicy } from '@parley/core';

/** The bus's retention guard on SQLite: group progress, retention runs and their last outcomes. */
export interface Retention {
  recordProgress(topic: string, group: string, partition: number, position: number, now: string): void;
  listProgress(topic?: string): GroupProgress[];
  apply(topic: string, partitions: number, policy: RetentionPolicy, now: number): RetentionOutcome[];
  list(topic?: string): RetentionOutcome[];
}

interface OutcomeRow {
  topic: string;
  partition: number;
  removed: number;
  held: number;
  lagging_group: string | null;
}

/**
 * Prepares the retention statements. A run, per partition: the policy's cut-off is the highest position it would
 * remove (by age: the last message older than `maxAgeMs`; by count: everything before the newest `maxMessages`);
 * the guard lowers it to the slowest registered group's position, counts what that holds back, and deletes the
 * rest — all in one transaction.
 */
export function createRetention(db: Database.Database): Retention {
  const upsertProgress = db.prepare(
    `INSERT INTO group_progress (topic, grp, partition, position, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (topic, grp, partition) DO UPDATE
       SET position = max(position, excluded.position), updated_at = excluded.updated_at`,
  );
  const progressAll = db.prepare(
    'SELECT topic, grp, partition, position, updated_at FROM group_progress ORDER BY topic, grp, partition',
  );
  const progressOf = db.prepare(
    'SELECT topic, grp, partition, position, updated_at FROM group_progress WHERE topic = ? ORDER BY grp, partition',
  );
  const slowest = db.prepare(
    `SELECT grp, position FROM group_progress WHERE topic = ? AND partition = ? ORDER BY position, grp LIMIT 1`,
  );
  const groupsOfTopic = db.prepare('SELECT DISTINCT grp FROM group_progress WHERE topic = ?');
  const lastOlderThan = db.prepare(
    'SELECT max(position) AS position FROM messages WHERE topic = ? AND partition = ? AND occurred_at < ?',
  );
  const keepNewest = db.prepare(
    `SELECT position FROM messages WHERE topic = ? AND partition = ? ORDER BY position DESC LIMIT 1 OFFSET ?`,
  );
  const countUpTo = db.prepare(
    'SELECT count(*) AS n FROM messages WHERE topic = ? AND partition = ? AND position > ? AND position <= ?',
  );
  const deleteUpTo = db.prepare('DELETE FROM messages WHERE topic = ? AND partition = ? AND position <= ?');
  const saveOutcome = db.prepare(
    `INSERT INTO retention_status (topic, partition, removed, held, lagging_group) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (topic, partition) DO UPDATE
       SET removed = excluded.removed, held = excluded.held, lagging_group = excluded.lagging_group`,
  );
  const outcomesAll = db.prepare('SELECT * FROM retention_status ORDER BY topic, partition');
  const outcomesOf = db.prepare('SELECT * FROM retention_status WHERE topic = ? ORDER BY partition');

  const toProgress = (row: {
    topic: string;
    grp: string;
    partition: number;
    position: number;
    updated_at: string;
  }) => ({
    topic: row.topic,
    group: row.grp,
    partition: row.partition,
    position: row.position,
    updatedAt: row.updated_at,
  });
  const toOutcome = (row: OutcomeRow): RetentionOutcome => ({
    topic: row.topic,
    partition: row.partition,
    removed: row.removed,
    held: row.held,
    laggingGroup: row.lagging_group,
  });

  const apply = db.transaction((topic: string, partitions: number, policy: RetentionPolicy, now: number) => {
    const outcomes: RetentionOutcome[] = [];
    const hasGroups = groupsOfTopic.all(topic).length > 0;
    for (let partition = 0; partition < partitions; partition++) {
      let cut = 0;
      if (policy.maxAgeMs !== undefined) {
        const cutoff = new Date(now - policy.maxAgeMs).toISOString();
        cut = Math.max(
          cut,
          (lastOlderThan.get(topic, partition, cutoff) as { position: number | null }).position ?? 0,
        );
      }
      if (policy.maxMessages !== undefined) {
        const row = keepNewest.get(topic, partition, policy.maxMessages) as { position: number } | undefined;
        if (row !== undefined) cut = Math.max(cut, row.position);
      }
      let held = 0;
      let laggingGroup: string | null = null;
      let allowed = cut;
      if (hasGroups) {
        // A group that never reported this partition has processed nothing of it.
        const slow = slowest.get(topic, partition) as { grp: string; position: number } | undefined;
        const groups = groupsOfTopic.all(topic) as Array<{ grp: string }>;
        const reported = new Set(
          (progressOf.all(topic) as Array<{ grp: string; partition: number }>)
            .filter((p) => p.partition === partition)
            .map((p) => p.grp),
        );
        const missing = groups.find((g) => !reported.has(g.grp));
        const floor = missing !== undefined ? 0 : (slow?.position ?? 0);
        const lagging = missing?.grp ?? slow?.grp ?? null;
        if (floor < cut) {
          allowed = floor;
          held = (countUpTo.get(topic, partition, floor, cut) as { n: number }).n;
          laggingGroup = held > 0 ? lagging : null;
        }
      }
      const removed = allowed > 0 ? deleteUpTo.run(topic, partition, allowed).changes : 0;
      saveOutcome.run(topic, partition, removed, held, laggingGroup);
      outcomes.push({ topic, partition, removed, held, laggingGroup });
    }
    return outcomes;
  });

  return {
    recordProgress: (topic, group, partition, position, now) =>
      void upsertProgress.run(topic, group, partition, position, now),
    listProgress: (topic) =>
      (topic === undefined ? progressAll.all() : progressOf.all(topic)).map((row) =>
        toProgress(row as Parameters<typeof toProgress>[0]),
      ),
    apply: (topic, partitions, policy, now) => apply.immediate(topic, partitions, policy, now),
    list: (topic) =>
      (topic === undefined ? outcomesAll.all() : outcomesOf.all(topic)).map((row) =>
        toOutcome(row as OutcomeRow),
      ),
  };
}
