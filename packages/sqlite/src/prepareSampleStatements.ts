import { checkSamples, SAMPLE_COLUMNS, toConsumerSample, type ConsumerSampleRow } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { ConsumerSample, ConsumerSampleFilter } from '@parley/core';

/** The consumer-sample writes and reads of `Store`, synchronous. */
export interface SampleStatements {
  record(samples: ReadonlyArray<ConsumerSample>, pruneBefore: number): void;
  list(filter: ConsumerSampleFilter): ConsumerSample[];
}

/** Prepares the statements once for `db`. */
export function prepareSampleStatements(db: Database.Database): SampleStatements {
  const upsert = db.prepare<[string, string, number, number, number, number, number, number]>(
    `INSERT INTO consumer_samples (${SAMPLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (consumer, source, partition, at) DO UPDATE SET
       interval_ms = excluded.interval_ms, processed = processed + excluded.processed,
       lag = excluded.lag, lag_seconds = excluded.lag_seconds`,
  );
  const prune = db.prepare<[number]>('DELETE FROM consumer_samples WHERE at < ?');
  const select = db.prepare<[number, string | null, string | null], ConsumerSampleRow>(
    `SELECT ${SAMPLE_COLUMNS} FROM consumer_samples WHERE at >= ? AND (? IS NULL OR consumer = ?)
     ORDER BY consumer, source, at, partition`,
  );
  const record = db.transaction((samples: ReadonlyArray<ConsumerSample>, pruneBefore: number) => {
    for (const s of samples) {
      upsert.run(s.consumer, s.source, s.partition, s.at, s.intervalMs, s.processed, s.lag, s.lagSeconds);
    }
    prune.run(pruneBefore);
  });

  return {
    record: (samples, pruneBefore) => record.immediate(checkSamples(samples, pruneBefore), pruneBefore),
    list: (filter) => {
      const consumer = filter.consumer ?? null;
      return select.all(filter.since, consumer, consumer).map(toConsumerSample);
    },
  };
}
