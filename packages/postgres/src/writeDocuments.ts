import { toJsonText } from '@parley/sql';
import type { DocumentWrite } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * Sets and deletes read-model documents in one statement. When a change writes one document twice, the last
 * write wins, as if they were applied in order.
 */
export async function writeDocuments(
  db: Queryable,
  s: string,
  documents: ReadonlyArray<DocumentWrite>,
): Promise<void> {
  if (documents.length === 0) return;
  const last = new Map<string, { model: string; id: string; doc: string | null }>();
  for (const { model, id, doc } of documents) {
    const key = JSON.stringify([model, id]);
    last.delete(key);
    last.set(key, { model, id, doc: doc === null ? null : toJsonText(doc, () => `document ${model}/${id}`) });
  }
  const writes = [...last.values()];
  await db.query(
    `WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS t(model, id, doc)),
     deleted AS (
       DELETE FROM ${s}.documents d USING input
       WHERE input.doc IS NULL AND d.model = input.model AND d.id = input.id
     )
     INSERT INTO ${s}.documents (model, id, doc)
     SELECT model, id, doc::jsonb FROM input WHERE doc IS NOT NULL
     ON CONFLICT (model, id) DO UPDATE SET doc = excluded.doc`,
    [writes.map((write) => write.model), writes.map((write) => write.id), writes.map((write) => write.doc)],
  );
}
