import { DEAD_LETTER_COLUMNS, toDeadLetterRow } from '@parley/sql';
import { DEAD_LETTER_COLUMN_TYPES } from './deadLetterColumnTypes.ts';
import type { DeadLetter } from '@parley/core';
import type { Queryable } from './Queryable.ts';

const COLUMNS = DEAD_LETTER_COLUMNS.join(', ');
const ARRAYS = DEAD_LETTER_COLUMNS.map(
  (column, index) => `$${index + 1}::${DEAD_LETTER_COLUMN_TYPES[column]}[]`,
).join(', ');
const UPDATES = DEAD_LETTER_COLUMNS.filter((column) => column !== 'id')
  .map((column) => `${column} = excluded.${column}`)
  .join(', ');

/**
 * Inserts or replaces whole dead-letter records by id (the last one wins when a change writes one twice), then
 * deletes `deletes`. An invalid record (an action without a due time) throws, failing the whole commit.
 * Concurrent changes to one dead letter are detected by the caller's append to its system stream, not here.
 */
export async function writeDeadLetters(
  db: Queryable,
  s: string,
  deadLetters: ReadonlyArray<DeadLetter>,
  deletes: ReadonlyArray<string>,
): Promise<void> {
  const rows = new Map(deadLetters.map((deadLetter) => [deadLetter.id, toDeadLetterRow(deadLetter)]));
  if (rows.size > 0) {
    const values = [...rows.values()];
    await db.query(
      `INSERT INTO ${s}.dead_letters (${COLUMNS})
       SELECT * FROM unnest(${ARRAYS})
       ON CONFLICT (id) DO UPDATE SET ${UPDATES}`,
      DEAD_LETTER_COLUMNS.map((column) => values.map((row) => row[column])),
    );
  }
  if (deletes.length > 0) {
    await db.query(`DELETE FROM ${s}.dead_letters WHERE id = ANY($1::text[])`, [deletes]);
  }
}
