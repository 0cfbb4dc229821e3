-- Part 6: outbox messages the bus refuses (unknown topic, partition out of range) are set aside instead of
-- blocking the messages behind them: `status` is 'pending' (waiting for the relay), 'failed' (set aside, for an
-- operator) or 'discarded' (dropped by an operator, kept for the record). The relay reads only pending rows.
ALTER TABLE outbox
  ADD COLUMN status    text    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed', 'discarded')),
  ADD COLUMN attempts  integer NOT NULL DEFAULT 0, -- times the bus refused it
  ADD COLUMN error     text,                       -- the last refusal, a JSON ErrorRecord
  ADD COLUMN failed_at text,                       -- ISO-8601, the last refusal
  ADD COLUMN acted_by  text,                       -- who last discarded or retried it
  ADD COLUMN acted_at  text;                       -- ISO-8601

-- Operators list the rows that are not pending; they are few, so the index stays small.
CREATE INDEX outbox_set_aside ON outbox (status, seq) WHERE status <> 'pending';
