-- Consumer groups' progress per topic partition, as reported to the bus: retention never removes what a
-- registered group has not passed.
CREATE TABLE group_progress (
  topic      TEXT    NOT NULL,
  grp        TEXT    NOT NULL,
  partition  INTEGER NOT NULL,
  position   INTEGER NOT NULL,
  updated_at TEXT    NOT NULL,
  PRIMARY KEY (topic, grp, partition)
) STRICT;

-- The last retention run of each partition: what was removed, what was held back and for whom.
CREATE TABLE retention_status (
  topic         TEXT    NOT NULL,
  partition     INTEGER NOT NULL,
  removed       INTEGER NOT NULL,
  held          INTEGER NOT NULL,
  lagging_group TEXT,
  PRIMARY KEY (topic, partition)
) STRICT;

-- Partition leases of consumer groups, and the members that share them.
CREATE TABLE leases (
  scope      TEXT    NOT NULL,
  partition  INTEGER NOT NULL,
  owner      TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  revision   INTEGER NOT NULL,
  PRIMARY KEY (scope, partition)
) STRICT;

CREATE TABLE lease_members (
  scope      TEXT    NOT NULL,
  member     TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (scope, member)
) STRICT;
