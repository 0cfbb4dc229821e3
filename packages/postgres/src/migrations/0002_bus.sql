-- Part 2: the bus (topics, their logs, consumer-group progress and retention outcomes).

-- Topics and their fixed partition counts.
CREATE TABLE topics (
  name       text    COLLATE "C" NOT NULL PRIMARY KEY,
  partitions integer NOT NULL CHECK (partitions > 0)
);

-- Every topic's log. `position` grows with publish order; publishers of one partition take an advisory lock
-- before they draw positions, so positions become visible in order within a partition.
CREATE TABLE messages (
  position    bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic       text    NOT NULL REFERENCES topics (name),
  partition   integer NOT NULL,
  id          text    NOT NULL,
  type        text    NOT NULL,
  key         text    NOT NULL,
  payload     text    NOT NULL, -- JSON text, kept as given
  headers     text    NOT NULL, -- JSON object
  occurred_at text    NOT NULL,
  occurred_ms bigint,           -- occurred_at in ms since the epoch, for retention by age; NULL if unparsable
  UNIQUE (topic, id)
);

CREATE INDEX messages_by_partition ON messages (topic, partition, position);

-- Consumer groups' progress per partition (the retention guard's floor). Positions only move forward.
CREATE TABLE group_progress (
  topic      text        COLLATE "C" NOT NULL,
  group_name text        COLLATE "C" NOT NULL,
  partition  integer     NOT NULL,
  position   bigint      NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (topic, group_name, partition)
);

-- The outcome of the last retention run of each partition, for operators.
CREATE TABLE retention_outcomes (
  topic         text        COLLATE "C" NOT NULL,
  partition     integer     NOT NULL,
  removed       bigint      NOT NULL,
  held          bigint      NOT NULL,
  lagging_group text,
  applied_at    timestamptz NOT NULL,
  PRIMARY KEY (topic, partition)
);
