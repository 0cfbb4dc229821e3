-- Part 4: partition leases shared by the instances of a service (LeaseStore).

-- One row per leased partition of a scope; `revision` is the compare-and-set fencing token.
CREATE TABLE leases (
  scope      text    NOT NULL,
  partition  integer NOT NULL,
  owner      text    NOT NULL,
  expires_at bigint  NOT NULL, -- ms since the epoch
  revision   bigint  NOT NULL,
  PRIMARY KEY (scope, partition)
);

-- Members of a scope and how long their last heartbeat keeps them alive.
CREATE TABLE lease_members (
  scope      text   NOT NULL,
  member     text   COLLATE "C" NOT NULL, -- byte order, for the sorted member list
  expires_at bigint NOT NULL, -- ms since the epoch
  PRIMARY KEY (scope, member)
);
