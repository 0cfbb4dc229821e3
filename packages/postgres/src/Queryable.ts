import type pg from 'pg';

/** A pool or a checked-out client: whatever runs one statement. SQL modules take this, so tests can pass either. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}
