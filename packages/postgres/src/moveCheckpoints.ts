import { ConcurrencyError, type CheckpointWrite } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * Moves checkpoints by compare-and-set, in one statement: a row expected at version 0 is inserted (and must not
 * exist yet), any other is updated only while its version is still the expected one. The same statement forgets
 * the done marks at or below each new position and records those above it. Throws a `checkpoint` conflict for
 * the first write that matched no row; the caller's transaction then rolls everything back.
 *
 * Concurrent writers of one checkpoint serialise on its row (or on the primary key for an insert): the second
 * one re-checks the version after the first commits, so exactly one wins.
 */
export async function moveCheckpoints(
  db: Queryable,
  s: string,
  writes: ReadonlyArray<CheckpointWrite>,
): Promise<void> {
  if (writes.length === 0) return;
  // One statement cannot update a row twice; a change normally has one write per partition.
  if (hasRepeats(writes)) {
    for (const write of writes) await moveCheckpoints(db, s, [write]);
    return;
  }
  const done = writes.flatMap((write, index) =>
    write.doneAbove.filter((position) => position > write.position).map((position) => ({ index, position })),
  );
  const { rows } = await db.query<{ i: number }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int8[], $5::int[])
         WITH ORDINALITY AS t(consumer, source, partition, position, expected_version, i)
     ),
     inserted AS (
       INSERT INTO ${s}.checkpoints (consumer, source, partition, position, version)
       SELECT consumer, source, partition, position, 1 FROM input WHERE expected_version = 0
       ON CONFLICT (consumer, source, partition) DO NOTHING
       RETURNING consumer, source, partition
     ),
     updated AS (
       UPDATE ${s}.checkpoints c SET position = input.position, version = c.version + 1
       FROM input
       WHERE input.expected_version <> 0 AND c.consumer = input.consumer AND c.source = input.source
         AND c.partition = input.partition AND c.version = input.expected_version
       RETURNING c.consumer, c.source, c.partition
     ),
     pruned AS (
       DELETE FROM ${s}.consumer_done d USING input
       WHERE d.consumer = input.consumer AND d.source = input.source AND d.partition = input.partition
         AND d.position <= input.position
     ),
     marked AS (
       INSERT INTO ${s}.consumer_done (consumer, source, partition, position)
       SELECT input.consumer, input.source, input.partition, marks.position
       FROM unnest($6::int[], $7::int8[]) AS marks(i, position) JOIN input ON input.i = marks.i
       ON CONFLICT DO NOTHING
     )
     SELECT i::int AS i FROM input
     WHERE NOT EXISTS (
       SELECT 1 FROM inserted w
       WHERE w.consumer = input.consumer AND w.source = input.source AND w.partition = input.partition
     ) AND NOT EXISTS (
       SELECT 1 FROM updated w
       WHERE w.consumer = input.consumer AND w.source = input.source AND w.partition = input.partition
     )
     ORDER BY i
     LIMIT 1`,
    [
      writes.map((write) => write.consumer),
      writes.map((write) => write.source),
      writes.map((write) => write.partition),
      writes.map((write) => write.position),
      writes.map((write) => write.expectedVersion),
      done.map((mark) => mark.index + 1),
      done.map((mark) => mark.position),
    ],
  );
  const failed = rows[0] === undefined ? undefined : writes[rows[0].i - 1];
  if (failed !== undefined) {
    const { consumer, source, partition, expectedVersion } = failed;
    throw new ConcurrencyError({ kind: 'checkpoint', consumer, source, partition, expectedVersion });
  }
}

function hasRepeats(writes: ReadonlyArray<CheckpointWrite>): boolean {
  const seen = new Set<string>();
  for (const { consumer, source, partition } of writes) {
    const key = JSON.stringify([consumer, source, partition]);
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}
