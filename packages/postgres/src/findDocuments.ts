import { checkLimit } from '@parley/sql';
import type { DocumentQuery } from '@parley/core';
import type { Queryable } from './Queryable.ts';

type Value = string | number | boolean | null;

const FIELD = /^[A-Za-z0-9_]+$/;

/**
 * One page of the read-model documents of `model` whose top-level fields equal `query.where`, ordered by id
 * (`COLLATE "C"`: byte order, as in SQLite), after `query.after` when given. A string, number or boolean compares
 * as JSON (`doc -> field = value::jsonb`, so `true` does not match the number 1 and 1 matches 1.0); `null`
 * matches a JSON null or a missing field, as in the SQLite adapter. Field names are bound as parameters.
 */
export async function findDocuments(
  db: Queryable,
  s: string,
  model: string,
  query: DocumentQuery = {},
): Promise<Array<{ id: string; doc: unknown }>> {
  const params: unknown[] = [model];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions: string[] = [];
  if (query.after !== undefined) {
    if (typeof query.after !== 'string') {
      throw new TypeError('findDocuments: after must be a document id (a string)');
    }
    conditions.push(` AND id > ${param(query.after)}`);
  }
  for (const [field, value] of Object.entries(query.where ?? {}) as Array<[string, Value]>) {
    if (!FIELD.test(field)) {
      throw new TypeError(`findDocuments: field ${JSON.stringify(field)} must be letters, digits and '_'`);
    }
    if (value === null) {
      conditions.push(` AND coalesce(doc -> ${param(field)}::text, 'null') = 'null'::jsonb`);
    } else if (
      typeof value === 'boolean' ||
      typeof value === 'string' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      conditions.push(` AND doc -> ${param(field)}::text = ${param(JSON.stringify(value))}::jsonb`);
    } else {
      throw new TypeError(`findDocuments: ${field} must be a string, a finite number, a boolean or null`);
    }
  }
  const limit = param(checkLimit(query.limit ?? 100, 'findDocuments'));
  const { rows } = await db.query<{ id: string; doc: unknown }>(
    `SELECT id, doc FROM ${s}.documents WHERE model = $1${conditions.join('')} ORDER BY id LIMIT ${limit}`,
    params,
  );
  return rows;
}
