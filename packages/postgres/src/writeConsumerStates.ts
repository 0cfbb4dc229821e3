import type { ConsumerState } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/** Sets consumers' run states in one upsert; the last state of a consumer given twice wins. */
export async function writeConsumerStates(
  db: Queryable,
  s: string,
  states: ReadonlyArray<ConsumerState>,
): Promise<void> {
  if (states.length === 0) return;
  const last = [...new Map(states.map((state) => [state.consumer, state])).values()];
  await db.query(
    `INSERT INTO ${s}.consumer_states (consumer, paused, reason, updated_at)
     SELECT * FROM unnest($1::text[], $2::bool[], $3::text[], $4::text[])
     ON CONFLICT (consumer) DO UPDATE SET
       paused = excluded.paused, reason = excluded.reason, updated_at = excluded.updated_at`,
    [
      last.map((state) => state.consumer),
      last.map((state) => state.paused),
      last.map((state) => state.reason),
      last.map((state) => state.updatedAt),
    ],
  );
}
