-- Parley's SQLite schema: a store (events, commands, documents, checkpoints, outbox) and a bus (topics,
-- messages) in one file. A file used only as a store or only as a bus leaves the other tables empty.

-- Entity streams. `position` is the global log order (AUTOINCREMENT: never reused, so it only grows).
CREATE TABLE events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  entity      TEXT    NOT NULL,
  entity_id   TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  id          TEXT    NOT NULL UNIQUE,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL, -- JSON
  metadata    TEXT    NOT NULL, -- JSON object
  occurred_at TEXT    NOT NULL,
  UNIQUE (entity, entity_id, version)
) STRICT;

CREATE INDEX events_by_entity ON events (entity, position);

-- Outcomes of committed commands, by idempotency key.
CREATE TABLE commands (
  command_id TEXT NOT NULL PRIMARY KEY,
  entity     TEXT NOT NULL,
  entity_id  TEXT NOT NULL,
  outcome    TEXT NOT NULL -- JSON
) STRICT, WITHOUT ROWID;

-- Read-model documents.
CREATE TABLE documents (
  model TEXT NOT NULL,
  id    TEXT NOT NULL,
  doc   TEXT NOT NULL, -- JSON
  PRIMARY KEY (model, id)
) STRICT;

-- Consumer progress per partition, fenced by `version`.
CREATE TABLE checkpoints (
  consumer  TEXT    NOT NULL,
  source    TEXT    NOT NULL,
  partition INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  version   INTEGER NOT NULL,
  PRIMARY KEY (consumer, source, partition)
) STRICT, WITHOUT ROWID;

-- Positions above a checkpoint that are done too (handled out of order).
CREATE TABLE consumer_done (
  consumer  TEXT    NOT NULL,
  source    TEXT    NOT NULL,
  partition INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  PRIMARY KEY (consumer, source, partition, position)
) STRICT, WITHOUT ROWID;

-- Messages committed with a change, waiting for the relay to publish them.
CREATE TABLE outbox (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  topic       TEXT    NOT NULL,
  partition   INTEGER NOT NULL,
  id          TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  payload     TEXT    NOT NULL, -- JSON text, kept as given
  headers     TEXT    NOT NULL, -- JSON object
  occurred_at TEXT    NOT NULL
) STRICT;

-- Bus: topics and their fixed partition counts.
CREATE TABLE topics (
  name       TEXT    NOT NULL PRIMARY KEY,
  partitions INTEGER NOT NULL CHECK (partitions > 0)
) STRICT, WITHOUT ROWID;

-- Bus: every topic's log. `position` grows with publish order across all partitions.
CREATE TABLE messages (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  topic       TEXT    NOT NULL REFERENCES topics (name),
  partition   INTEGER NOT NULL,
  id          TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  payload     TEXT    NOT NULL, -- JSON text, kept as given
  headers     TEXT    NOT NULL, -- JSON object
  occurred_at TEXT    NOT NULL,
  UNIQUE (topic, id)
) STRICT;

CREATE INDEX messages_by_partition ON messages (topic, partition, position);
