import { checkLimit, DEAD_LETTER_COLUMNS, toDeadLetter, type DeadLetterRow } from '@parley/sql';
import type { DeadLetter, DeadLetterFilter } from '@parley/core';
import type { Queryable } from './Queryable.ts';

const COLUMNS = DEAD_LETTER_COLUMNS.join(', ');

type Condition = (filter: DeadLetterFilter, param: (value: unknown) => string) => string | undefined;

/**
 * The filters of {@link DeadLetterFilter}. `status` binds a text array. `error` matches a substring of the
 * error's name or message with ILIKE (its `%`, `_` and `\` escaped), ignoring case as SQLite's LIKE does for
 * ASCII. `since` and `until` compare ISO-8601 text and both include the bound.
 */
const CONDITIONS: ReadonlyArray<Condition> = [
  ({ consumer }, param) => (consumer === undefined ? undefined : `consumer = ${param(consumer)}`),
  ({ type }, param) => (type === undefined ? undefined : `type = ${param(type)}`),
  ({ key }, param) => (key === undefined ? undefined : `key = ${param(key)}`),
  ({ status }, param) =>
    status === undefined
      ? undefined
      : `status = ANY(${param(typeof status === 'string' ? [status] : [...status])}::text[])`,
  ({ reason }, param) => (reason === undefined ? undefined : `reason = ${param(reason)}`),
  ({ error }, param) => {
    if (error === undefined) return undefined;
    const pattern = param(`%${error.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
    return `(error::json ->> 'name' ILIKE ${pattern} OR error::json ->> 'message' ILIKE ${pattern})`;
  },
  ({ since }, param) => (since === undefined ? undefined : `last_failed_at >= ${param(since)}`),
  ({ until }, param) => (until === undefined ? undefined : `last_failed_at <= ${param(until)}`),
  ({ after }, param) => (after === undefined ? undefined : `id > ${param(after)}`),
];

/** Dead letters matching `filter`, ordered by id (byte order: the column is `COLLATE "C"`). */
export async function listDeadLetters(
  db: Queryable,
  s: string,
  filter: DeadLetterFilter = {},
): Promise<DeadLetter[]> {
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = CONDITIONS.flatMap((condition) => condition(filter, param) ?? []);
  const limit = param(checkLimit(filter.limit ?? 100, 'listDeadLetters'));
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT ${COLUMNS} FROM ${s}.dead_letters${where} ORDER BY id LIMIT ${limit}`,
    params,
  );
  return rows.map(toDeadLetter);
}

export async function getDeadLetter(db: Queryable, s: string, id: string): Promise<DeadLetter | undefined> {
  const { rows } = await db.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM ${s}.dead_letters WHERE id = $1`, [
    id,
  ]);
  return rows[0] === undefined ? undefined : toDeadLetter(rows[0]);
}

/** A consumer's dead letters in `source` with an action due at or before `now`, oldest due first. */
export async function dueDeadLetters(
  db: Queryable,
  s: string,
  consumer: string,
  source: string,
  now: number,
  limit: number,
): Promise<DeadLetter[]> {
  // `action IS NOT NULL` lets PostgreSQL use the partial index dead_letters_due.
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT ${COLUMNS} FROM ${s}.dead_letters
     WHERE consumer = $1 AND source = $2 AND action IS NOT NULL AND due_at <= $3
     ORDER BY due_at, id LIMIT $4`,
    // due_at is whole ms, so `<= now` is `<= floor(now)`.
    [consumer, source, Math.floor(now), checkLimit(limit, 'dueDeadLetters')],
  );
  return rows.map(toDeadLetter);
}

/** The earliest due time of a consumer's dead letters with an action in `source`. */
export async function nextDeadLetterDue(
  db: Queryable,
  s: string,
  consumer: string,
  source: string,
): Promise<number | undefined> {
  const { rows } = await db.query<{ due: number | null }>(
    `SELECT min(due_at) AS due FROM ${s}.dead_letters
     WHERE consumer = $1 AND source = $2 AND action IS NOT NULL`,
    [consumer, source],
  );
  return rows[0]?.due ?? undefined;
}
