import { checkLimit } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { DocumentQuery } from '@parley/core';

type Value = string | number | boolean | null;

const FIELD = /^[A-Za-z0-9_]+$/;
/** Distinct `where` shapes seen; past this many, the cache starts over (shapes are few in practice). */
const MAX_CACHED_SHAPES = 64;

/**
 * Prepares `Store.findDocuments` for `db`. Each `where` entry compares a top-level field: a string or number
 * with `json_extract(doc, path) = ?`, a boolean with `json_type` (so `true` does not match the number 1), and
 * `null` with `IS NULL`, which also matches a missing field. JSON paths are bound as parameters, so a statement
 * depends only on the kinds of the values (and whether the query pages on with `after`) and is prepared once per
 * shape. Pages follow the primary key (model, id), in id order.
 */
export function prepareFindDocuments(
  db: Database.Database,
): (model: string, query?: DocumentQuery) => Array<{ id: string; doc: unknown }> {
  const statements = new Map<string, Database.Statement<unknown[], { id: string; doc: string }>>();

  function statementFor(
    kinds: string[],
    after: boolean,
  ): Database.Statement<unknown[], { id: string; doc: string }> {
    const shape = `${after ? '>' : ''}${kinds.join('')}`;
    let statement = statements.get(shape);
    if (statement === undefined) {
      const conditions = kinds.map((kind) =>
        kind === 'n'
          ? ' AND json_extract(doc, ?) IS NULL'
          : kind === 'b'
            ? ' AND json_type(doc, ?) = ?'
            : ' AND json_extract(doc, ?) = ?',
      );
      statement = db.prepare<unknown[], { id: string; doc: string }>(
        `SELECT id, doc FROM documents WHERE model = ?${after ? ' AND id > ?' : ''}${conditions.join('')} ORDER BY id LIMIT ?`,
      );
      if (statements.size >= MAX_CACHED_SHAPES) statements.clear();
      statements.set(shape, statement);
    }
    return statement;
  }

  return (model, query = {}) => {
    const kinds: string[] = [];
    const params: unknown[] = [model];
    const after = query.after;
    if (after !== undefined) {
      if (typeof after !== 'string')
        throw new TypeError('findDocuments: after must be a document id (a string)');
      params.push(after);
    }
    for (const [field, value] of Object.entries(query.where ?? {}) as Array<[string, Value]>) {
      if (!FIELD.test(field)) {
        throw new TypeError(`findDocuments: field ${JSON.stringify(field)} must be letters, digits and '_'`);
      }
      const path = `$."${field}"`;
      if (value === null) {
        kinds.push('n');
        params.push(path);
      } else if (typeof value === 'boolean') {
        kinds.push('b');
        params.push(path, value ? 'true' : 'false');
      } else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string') {
        kinds.push('v');
        params.push(path, value);
      } else {
        throw new TypeError(`findDocuments: ${field} must be a string, a finite number, a boolean or null`);
      }
    }
    params.push(checkLimit(query.limit ?? 100, 'findDocuments'));
    return statementFor(kinds, after !== undefined)
      .all(...params)
      .map((row) => ({ id: row.id, doc: JSON.parse(row.doc) as unknown }));
  };
}
