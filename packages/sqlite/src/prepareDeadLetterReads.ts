import { checkLimit, DEAD_LETTER_COLUMNS, toDeadLetter, type DeadLetterRow } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { DeadLetter, DeadLetterFilter } from '@parley/core';

/** The dead-letter reads of `Store`, synchronous. */
export interface DeadLetterReads {
  list(filter?: DeadLetterFilter): DeadLetter[];
  get(id: string): DeadLetter | undefined;
  due(consumer: string, source: string, now: number, limit: number): DeadLetter[];
  next(consumer: string, source: string): number | undefined;
}

type Condition = (filter: DeadLetterFilter) => { sql: string; params: unknown[] } | undefined;

const COLUMNS = DEAD_LETTER_COLUMNS.join(', ');

/**
 * The filters of {@link DeadLetterFilter}, in a fixed order so that a set of filters always builds the same SQL.
 * `status` binds a JSON array, so one statement serves any number of statuses. `error` matches a substring of
 * the error's name or message with LIKE (its `%`, `_` and `\` escaped), which ignores the case of ASCII letters.
 * `since` and `until` compare ISO-8601 text and both include the bound.
 */
const CONDITIONS: ReadonlyArray<Condition> = [
  ({ consumer }) => (consumer === undefined ? undefined : { sql: 'consumer = ?', params: [consumer] }),
  ({ type }) => (type === undefined ? undefined : { sql: 'type = ?', params: [type] }),
  ({ key }) => (key === undefined ? undefined : { sql: 'key = ?', params: [key] }),
  ({ status }) =>
    status === undefined
      ? undefined
      : {
          sql: 'status IN (SELECT value FROM json_each(?))',
          params: [JSON.stringify(typeof status === 'string' ? [status] : status)],
        },
  ({ reason }) => (reason === undefined ? undefined : { sql: 'reason = ?', params: [reason] }),
  ({ error }) => {
    if (error === undefined) return undefined;
    const pattern = `%${error.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    return {
      sql: `(json_extract(error, '$.name') LIKE ? ESCAPE '\\' OR json_extract(error, '$.message') LIKE ? ESCAPE '\\')`,
      params: [pattern, pattern],
    };
  },
  ({ since }) => (since === undefined ? undefined : { sql: 'last_failed_at >= ?', params: [since] }),
  ({ until }) => (until === undefined ? undefined : { sql: 'last_failed_at <= ?', params: [until] }),
  ({ after }) => (after === undefined ? undefined : { sql: 'id > ?', params: [after] }),
];

/** Prepares the fixed statements now and each filter combination's statement the first time it is used. */
export function prepareDeadLetterReads(db: Database.Database): DeadLetterReads {
  const selectOne = db.prepare<[string], DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = ?`);
  // `action IS NOT NULL` lets SQLite use the partial index dead_letters_due.
  const selectDue = db.prepare<[string, string, number, number], DeadLetterRow>(
    `SELECT ${COLUMNS} FROM dead_letters
     WHERE consumer = ? AND source = ? AND action IS NOT NULL AND due_at <= ?
     ORDER BY due_at, id LIMIT ?`,
  );
  const selectNext = db
    .prepare<[string, string], number | null>(
      'SELECT min(due_at) FROM dead_letters WHERE consumer = ? AND source = ? AND action IS NOT NULL',
    )
    .pluck();
  // At most 2^9 combinations, each prepared once.
  const lists = new Map<number, Database.Statement<unknown[], DeadLetterRow>>();

  function listStatement(shape: number, conditions: string[]): Database.Statement<unknown[], DeadLetterRow> {
    let statement = lists.get(shape);
    if (statement === undefined) {
      const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
      statement = db.prepare<unknown[], DeadLetterRow>(
        `SELECT ${COLUMNS} FROM dead_letters${where} ORDER BY id LIMIT ?`,
      );
      lists.set(shape, statement);
    }
    return statement;
  }

  return {
    list(filter = {}) {
      let shape = 0;
      const conditions: string[] = [];
      const params: unknown[] = [];
      CONDITIONS.forEach((condition, index) => {
        const clause = condition(filter);
        if (clause === undefined) return;
        shape |= 1 << index;
        conditions.push(clause.sql);
        params.push(...clause.params);
      });
      params.push(checkLimit(filter.limit ?? 100, 'listDeadLetters'));
      return listStatement(shape, conditions)
        .all(...params)
        .map(toDeadLetter);
    },

    get(id) {
      const row = selectOne.get(id);
      return row === undefined ? undefined : toDeadLetter(row);
    },

    due(consumer, source, now, limit) {
      return selectDue.all(consumer, source, now, checkLimit(limit, 'dueDeadLetters')).map(toDeadLetter);
    },

    next(consumer, source) {
      return selectNext.get(consumer, source) ?? undefined;
    },
  };
}
