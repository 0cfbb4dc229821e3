-- Failure handling: parked queues, dead letters, durable timers and consumer run states.

-- Messages waiting behind a failed one of the same key, per consumer; each queue drains in position order.
CREATE TABLE parked (
  consumer  TEXT    NOT NULL,
  source    TEXT    NOT NULL,
  key       TEXT    NOT NULL,
  position  INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  message   TEXT    NOT NULL, -- JSON: the whole ParkedMessage
  PRIMARY KEY (consumer, source, key, position)
) STRICT;

-- Failed messages and their history. `source` … `type` repeat fields of `message`, for filtering.
CREATE TABLE dead_letters (
  id              TEXT    NOT NULL PRIMARY KEY,
  consumer        TEXT    NOT NULL,
  source          TEXT    NOT NULL,
  partition       INTEGER NOT NULL,
  position        INTEGER NOT NULL,
  key             TEXT    NOT NULL,
  message_id      TEXT    NOT NULL,
  type            TEXT    NOT NULL,
  status          TEXT    NOT NULL,
  reason          TEXT    NOT NULL,
  attempts        INTEGER NOT NULL,
  error           TEXT    NOT NULL, -- JSON: ErrorRecord
  message         TEXT    NOT NULL, -- JSON: ParkedMessage, edits applied
  first_failed_at TEXT    NOT NULL,
  last_failed_at  TEXT    NOT NULL,
  action          TEXT,             -- NULL: nothing for the owning consumer to do
  due_at          INTEGER,          -- ms since the epoch
  edits           TEXT    NOT NULL, -- JSON array of DeadLetterEdit
  version         INTEGER NOT NULL,
  updated_at      TEXT    NOT NULL
) STRICT;

-- Each owning consumer polls its due actions; only rows with an action are in the index.
CREATE INDEX dead_letters_due ON dead_letters (consumer, source, due_at, id) WHERE action IS NOT NULL;
-- Operators list by id, narrowed by one of these.
CREATE INDEX dead_letters_by_consumer ON dead_letters (consumer, id);
CREATE INDEX dead_letters_by_status ON dead_letters (status, id);
CREATE INDEX dead_letters_by_type ON dead_letters (type, id);
CREATE INDEX dead_letters_by_key ON dead_letters (key, id);

-- Durable timers: a message published when due.
CREATE TABLE timers (
  id      TEXT    NOT NULL PRIMARY KEY,
  due_at  INTEGER NOT NULL, -- ms since the epoch
  message TEXT    NOT NULL  -- JSON: OutgoingMessage
) STRICT;

CREATE INDEX timers_by_due ON timers (due_at, id);

-- Run states set by operators or policies; a consumer without a row runs.
CREATE TABLE consumer_states (
  consumer   TEXT    NOT NULL PRIMARY KEY,
  paused     INTEGER NOT NULL, -- 0 or 1
  reason     TEXT,
  updated_at TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

-- Bumped by commits that waiters on other connections must notice (new timers, dead letters with an action,
-- consumer states): these tables have no AUTOINCREMENT counter in sqlite_sequence to compare.
CREATE TABLE change_counters (
  name  TEXT    NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
