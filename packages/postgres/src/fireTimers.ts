import { ConcurrencyError } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * Deletes fired timers in one statement; a timer that is already gone (fired by someone else) is a `timer`
 * conflict, the first such id in the order given. Two processes firing one timer serialise on its row: the
 * second finds it deleted once the first commits.
 */
export async function fireTimers(db: Queryable, s: string, ids: ReadonlyArray<string>): Promise<void> {
  if (ids.length === 0) return;
  const { rows } = await db.query<{ id: string }>(
    `DELETE FROM ${s}.timers WHERE id = ANY($1::text[]) RETURNING id`,
    [ids],
  );
  const deleted = new Set(rows.map((row) => row.id));
  const seen = new Set<string>();
  for (const timerId of ids) {
    // A timer fired twice in one change is gone the second time too.
    if (!deleted.has(timerId) || seen.has(timerId)) throw new ConcurrencyError({ kind: 'timer', timerId });
    seen.add(timerId);
  }
}
