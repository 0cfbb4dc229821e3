/**
 * Throws a clear error unless `limit` is a non-negative integer (SQLite reads a negative LIMIT as "no limit";
 * PostgreSQL refuses it only when the statement runs).
 */
export function checkLimit(limit: number, what: string): number {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`${what}: limit must be a non-negative integer, got ${limit}`);
  }
  return limit;
}
