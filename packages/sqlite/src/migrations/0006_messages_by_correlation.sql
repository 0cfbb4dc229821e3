-- One saga's messages across topics, for the console's trace by correlation id: an index on the correlationId
-- header. Headers that are not JSON (a row written by something else) index as NULL instead of failing the insert.
CREATE INDEX messages_by_correlation
  ON messages ((CASE WHEN json_valid(headers) THEN json_extract(headers, '$.correlationId') END), position);
