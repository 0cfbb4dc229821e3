import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Queryable } from './Queryable.ts';

/** Statement text → its name: the text's hash, so one text always has one name, on every connection. */
const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `parley_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * `db`, with each statement that takes parameters sent as a named prepared statement: each connection parses and
 * plans it once, then only binds and runs it (without this, the server parses and plans every statement of every
 * commit and read again). Statements without parameters (BEGIN, COMMIT with its NOTIFY, DDL) go as they are.
 * Named statements live on their connection: a pooler that hands one session's statements to another connection
 * (PgBouncer in transaction mode before 1.21) needs them off (`prepareStatements: false`).
 */
export function withPreparedStatements(db: Pick<pg.Pool | pg.PoolClient, 'query'>): Queryable {
  return {
    query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
      values === undefined ? db.query<R>(text) : db.query<R>({ name: nameOf(text), text, values }),
  };
}
