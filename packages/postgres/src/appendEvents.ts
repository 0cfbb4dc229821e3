import { toJsonText } from '@parley/sql';
import { ConcurrencyError, type StreamAppend } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * Appends events to their streams: one statement checks every stream's version, one inserts every event, in the
 * order given (so positions follow it). Appends to one stream chain: each must expect the version the previous
 * one left. Throws a `stream` conflict — the first in the order given — when a version is not the expected one.
 *
 * Run it in the commit's transaction after {@link lockPositions} locked the appended entity types: the lock makes
 * the version check and the insert atomic with respect to other appenders of the same entity type (under READ
 * COMMITTED each statement sees every commit made before the lock was granted). The unique constraint on
 * (entity, entity_id, version) stays as a backstop against writers that bypass the lock.
 */
export async function appendEvents(
  db: Queryable,
  s: string,
  appends: ReadonlyArray<StreamAppend>,
): Promise<void> {
  if (appends.length === 0) return;
  // One version lookup per stream, for its first append; later appends to it must chain on.
  const firstAppends = new Map<string, StreamAppend>();
  for (const append of appends) {
    const key = JSON.stringify([append.entity, append.entityId]);
    if (!firstAppends.has(key)) firstAppends.set(key, append);
  }
  const firsts = [...firstAppends.values()];
  const { rows } = await db.query<{ version: number }>(
    `SELECT coalesce(
       (SELECT max(version) FROM ${s}.events e WHERE e.entity = t.entity AND e.entity_id = t.entity_id), 0
     ) AS version
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(entity, entity_id, i)
     ORDER BY i`,
    [firsts.map((append) => append.entity), firsts.map((append) => append.entityId)],
  );
  const stored = new Map(firsts.map((append, index) => [append, rows[index]?.version ?? 0]));
  const chained = new Map<string, number>();
  for (const append of appends) {
    const key = JSON.stringify([append.entity, append.entityId]);
    const current = chained.get(key) ?? stored.get(append) ?? 0;
    if (current !== append.expectedVersion) {
      const { entity, entityId, expectedVersion } = append;
      throw new ConcurrencyError({ kind: 'stream', entity, entityId, expectedVersion });
    }
    chained.set(key, current + append.events.length);
  }

  const events = appends.flatMap((append) =>
    append.events.map((event, index) => ({ append, event, version: append.expectedVersion + index + 1 })),
  );
  if (events.length === 0) return;
  // One JSON parameter: serialised natively here, unpacked by the server, instead of eight escaped text arrays.
  await db.query(
    `INSERT INTO ${s}.events (entity, entity_id, version, id, type, data, metadata, occurred_at)
     SELECT entity, entity_id, version, id, type, data, metadata, occurred_at
     FROM ROWS FROM (json_to_recordset($1::json) AS (entity text, entity_id text, version int, id text,
                     type text, data text, metadata text, occurred_at text))
       WITH ORDINALITY AS t(entity, entity_id, version, id, type, data, metadata, occurred_at, i)
     ORDER BY i`,
    [
      JSON.stringify(
        events.map(({ append, event, version }) => ({
          entity: append.entity,
          entity_id: append.entityId,
          version,
          id: event.id,
          type: event.type,
          data: toJsonText(event.data, () => `event ${event.id} data`),
          metadata: JSON.stringify(event.metadata),
          occurred_at: event.occurredAt,
        })),
      ),
    ],
  );
}
