-- Consumers' throughput and lag over the last hour, for operators: one row per consumer, source, partition and
-- sampling interval (`at` is the interval's start, ms since the epoch, aligned so every instance's samples of
-- one interval meet in one row). Written outside commits; rows older than an hour are deleted as new ones come.
CREATE TABLE consumer_samples (
  consumer    TEXT    NOT NULL,
  source      TEXT    NOT NULL,
  partition   INTEGER NOT NULL,
  at          INTEGER NOT NULL, -- ms since the epoch
  interval_ms INTEGER NOT NULL,
  processed   INTEGER NOT NULL, -- messages committed in the interval
  lag         INTEGER NOT NULL, -- messages not handled yet, when sampled
  lag_seconds REAL    NOT NULL, -- age of the oldest of them
  PRIMARY KEY (consumer, source, partition, at)
) STRICT;

-- Pruning deletes by age, across consumers.
CREATE INDEX consumer_samples_at ON consumer_samples (at);
