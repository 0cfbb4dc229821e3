import { checkSamples, SAMPLE_COLUMNS, toConsumerSample, type ConsumerSampleRow } from '@parley/sql';
import type { ConsumerSample, ConsumerSampleFilter } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * Upserts consumer samples (a sample already stored gets the new `processed` added and the new lag) and deletes
 * those older than `pruneBefore`, in one statement: one transaction of its own.
 */
export async function writeSamples(
  db: Queryable,
  s: string,
  samples: ReadonlyArray<ConsumerSample>,
  pruneBefore: number,
): Promise<void> {
  // A sample older than what is kept would be deleted at once; leaving it out keeps the delete and the insert
  // of this one statement off each other's rows.
  const rows = checkSamples(samples, pruneBefore).filter((r) => r.at >= pruneBefore);
  await db.query(
    `WITH pruned AS (DELETE FROM ${s}.consumer_samples WHERE at < $9)
     INSERT INTO ${s}.consumer_samples (${SAMPLE_COLUMNS})
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::int[], $6::bigint[], $7::bigint[],
                          $8::float8[])
     ON CONFLICT (consumer, source, partition, at) DO UPDATE SET
       interval_ms = excluded.interval_ms, processed = consumer_samples.processed + excluded.processed,
       lag = excluded.lag, lag_seconds = excluded.lag_seconds`,
    [
      rows.map((r) => r.consumer),
      rows.map((r) => r.source),
      rows.map((r) => r.partition),
      rows.map((r) => r.at),
      rows.map((r) => r.intervalMs),
      rows.map((r) => r.processed),
      rows.map((r) => r.lag),
      rows.map((r) => r.lagSeconds),
      Math.floor(pruneBefore),
    ],
  );
}

/** Samples matching `filter`, by consumer, source, at and partition. */
export async function listSamples(
  db: Queryable,
  s: string,
  filter: ConsumerSampleFilter,
): Promise<ConsumerSample[]> {
  const { rows } = await db.query<ConsumerSampleRow>(
    `SELECT ${SAMPLE_COLUMNS} FROM ${s}.consumer_samples
     WHERE at >= $1 AND ($2::text IS NULL OR consumer = $2)
     ORDER BY consumer, source, at, partition`,
    [Math.floor(filter.since), filter.consumer ?? null],
  );
  return rows.map(toConsumerSample);
}
