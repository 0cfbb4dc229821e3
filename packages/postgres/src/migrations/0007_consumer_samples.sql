-- Part 7: consumers' throughput and lag over the last hour, for operators: one row per consumer, source,
-- partition and sampling interval (`at` is the interval's start, ms since the epoch, aligned so every instance's
-- samples of one interval meet in one row). Written outside commits; rows older than an hour are deleted as new
-- ones come.
-- Names sort by their bytes, as SQLite sorts them.
CREATE TABLE consumer_samples (
  consumer    text COLLATE "C" NOT NULL,
  source      text COLLATE "C" NOT NULL,
  partition   integer          NOT NULL,
  at          bigint           NOT NULL, -- ms since the epoch
  interval_ms integer          NOT NULL,
  processed   bigint           NOT NULL, -- messages committed in the interval
  lag         bigint           NOT NULL, -- messages not handled yet, when sampled
  lag_seconds double precision NOT NULL, -- age of the oldest of them
  PRIMARY KEY (consumer, source, partition, at)
);

-- Pruning deletes by age, across consumers.
CREATE INDEX consumer_samples_at ON consumer_samples (at);
