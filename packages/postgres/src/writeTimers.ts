import { toJsonText, toDueAt } from '@parley/sql';
import type { TimerRecord } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/** Creates timers in one INSERT; an id that exists already keeps its first record. Returns how many were new. */
export async function writeTimers(
  db: Queryable,
  s: string,
  timers: ReadonlyArray<TimerRecord>,
): Promise<number> {
  if (timers.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO ${s}.timers (id, due_at, message)
     SELECT * FROM unnest($1::text[], $2::int8[], $3::text[])
     ON CONFLICT (id) DO NOTHING`,
    [
      timers.map((timer) => timer.id),
      timers.map((timer) => toDueAt(timer.dueAt, `timer ${timer.id}`)),
      timers.map((timer) => toJsonText(timer.message, () => `timer ${timer.id} message`)),
    ],
  );
  return rowCount ?? 0;
}
