-- Part 3: failure handling (parked queues, dead letters, durable timers, consumer run states).

-- Messages waiting behind a failed one of the same key, per consumer; each queue drains in position order.
CREATE TABLE parked (
  consumer  text    NOT NULL,
  source    text    NOT NULL,
  key       text    COLLATE "C" NOT NULL,
  position  bigint  NOT NULL,
  partition integer NOT NULL,
  message   text    NOT NULL, -- JSON: the whole ParkedMessage
  PRIMARY KEY (consumer, source, key, position)
);

-- Failed messages and their history. `source` … `type` repeat fields of `message`, for filtering. JSON columns
-- are text: a payload "exactly as read" may hold escapes (\u0000) that jsonb refuses. Text keys that results
-- are ordered by use the "C" collation (byte order), as SQLite does.
CREATE TABLE dead_letters (
  id              text    COLLATE "C" NOT NULL PRIMARY KEY,
  consumer        text    NOT NULL,
  source          text    NOT NULL,
  partition       integer NOT NULL,
  position        bigint  NOT NULL,
  key             text    NOT NULL,
  message_id      text    NOT NULL,
  type            text    NOT NULL,
  status          text    NOT NULL,
  reason          text    NOT NULL,
  attempts        integer NOT NULL,
  error           text    NOT NULL, -- JSON: ErrorRecord
  message         text    NOT NULL, -- JSON: ParkedMessage, edits applied
  first_failed_at text    NOT NULL,
  last_failed_at  text    NOT NULL,
  action          text,             -- NULL: nothing for the owning consumer to do
  due_at          bigint,           -- ms since the epoch
  edits           text    NOT NULL, -- JSON array of DeadLetterEdit
  version         integer NOT NULL,
  updated_at      text    NOT NULL
);

-- Each owning consumer polls its due actions; only rows with an action are in the index.
CREATE INDEX dead_letters_due ON dead_letters (consumer, source, due_at, id) WHERE action IS NOT NULL;
-- Operators list by id, narrowed by one of these.
CREATE INDEX dead_letters_by_consumer ON dead_letters (consumer, id);
CREATE INDEX dead_letters_by_status ON dead_letters (status, id);
CREATE INDEX dead_letters_by_type ON dead_letters (type, id);
CREATE INDEX dead_letters_by_key ON dead_letters (key, id);

-- Durable timers: a message published when due.
CREATE TABLE timers (
  id      text   COLLATE "C" NOT NULL PRIMARY KEY,
  due_at  bigint NOT NULL, -- ms since the epoch
  message text   NOT NULL  -- JSON: OutgoingMessage
);

CREATE INDEX timers_by_due ON timers (due_at, id);

-- Run states set by operators or policies; a consumer without a row runs.
CREATE TABLE consumer_states (
  consumer   text    COLLATE "C" NOT NULL PRIMARY KEY,
  paused     boolean NOT NULL,
  reason     text,
  updated_at text    NOT NULL
);
