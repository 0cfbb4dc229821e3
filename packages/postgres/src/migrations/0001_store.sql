-- Parley's PostgreSQL schema, part 1: a service's store (events, commands, documents, checkpoints, outbox).
-- Every object lives in the schema the store or bus was given; the migrator sets search_path to it.

-- One random id per schema: a store and a bus that read the same id share one database and one schema, so the
-- store may write outgoing messages straight into the topic log (direct mode).
CREATE TABLE instance (
  id text NOT NULL PRIMARY KEY
);
INSERT INTO instance (id) VALUES (gen_random_uuid()::text);

-- Entity streams. `position` is the global log order of the schema; writers of one entity type take an advisory
-- lock before they draw positions, so positions become visible in order within an entity type.
CREATE TABLE events (
  position    bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entity      text    NOT NULL,
  entity_id   text    NOT NULL,
  version     integer NOT NULL,
  id          text    NOT NULL UNIQUE,
  type        text    NOT NULL,
  data        text    NOT NULL, -- JSON
  metadata    text    NOT NULL, -- JSON object
  occurred_at text    NOT NULL,
  CONSTRAINT events_stream_version UNIQUE (entity, entity_id, version)
);

CREATE INDEX events_by_entity ON events (entity, position);

-- Outcomes of committed commands, by idempotency key.
CREATE TABLE commands (
  command_id text NOT NULL PRIMARY KEY,
  entity     text NOT NULL,
  entity_id  text NOT NULL,
  outcome    text NOT NULL -- JSON
);

-- Read-model documents, queried by top-level fields.
CREATE TABLE documents (
  model text  NOT NULL,
  id    text  COLLATE "C" NOT NULL, -- byte order, as SQLite sorts
  doc   jsonb NOT NULL,
  PRIMARY KEY (model, id)
);

-- Consumer progress per partition, fenced by `version`.
CREATE TABLE checkpoints (
  consumer  text    COLLATE "C" NOT NULL,
  source    text    COLLATE "C" NOT NULL,
  partition integer NOT NULL,
  position  bigint  NOT NULL,
  version   integer NOT NULL,
  PRIMARY KEY (consumer, source, partition)
);

-- Positions above a checkpoint that are done too (handled out of order).
CREATE TABLE consumer_done (
  consumer  text    NOT NULL,
  source    text    NOT NULL,
  partition integer NOT NULL,
  position  bigint  NOT NULL,
  PRIMARY KEY (consumer, source, partition, position)
);

-- Messages committed with a change, waiting for the relay (when the bus is another schema or server).
CREATE TABLE outbox (
  seq         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic       text    NOT NULL,
  partition   integer NOT NULL,
  id          text    NOT NULL,
  type        text    NOT NULL,
  key         text    NOT NULL,
  payload     text    NOT NULL, -- JSON text, kept as given
  headers     text    NOT NULL, -- JSON object
  occurred_at text    NOT NULL
);
