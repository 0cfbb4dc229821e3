-- Outbox messages the bus refuses (unknown topic, partition out of range) are set aside instead of blocking the
-- messages behind them: `status` is 'pending' (waiting for the relay), 'failed' (set aside, for an operator) or
-- 'discarded' (dropped by an operator, kept for the record). The relay reads only pending rows.
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'
  CHECK (status IN ('pending', 'failed', 'discarded'));
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0; -- times the bus refused it
ALTER TABLE outbox ADD COLUMN error TEXT;                          -- the last refusal, a JSON ErrorRecord
ALTER TABLE outbox ADD COLUMN failed_at TEXT;                      -- ISO-8601, the last refusal
ALTER TABLE outbox ADD COLUMN acted_by TEXT;                       -- who last discarded or retried it
ALTER TABLE outbox ADD COLUMN acted_at TEXT;                       -- ISO-8601

-- Operators list the rows that are not pending; they are few, so the index stays small.
CREATE INDEX outbox_set_aside ON outbox (status, seq) WHERE status <> 'pending';
