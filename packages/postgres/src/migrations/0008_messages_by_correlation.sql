-- Part 8: one saga's messages across topics, for the console's trace by correlation id. Headers are JSON text
-- as Parley writes it (no spaces); the index takes the correlationId's JSON string body with a pattern, which
-- never fails on a row whose headers are not JSON, and readers check the parsed headers.
CREATE INDEX messages_by_correlation
  ON messages ((substring(headers FROM '"correlationId":"((?:[^"\\]|\\.)*)"')), position);
