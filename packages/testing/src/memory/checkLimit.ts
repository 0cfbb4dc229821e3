/** Throws a clear error unless `limit` is a non-negative integer, as the SQL stores do. */
export function checkLimit(limit: number, what: string): number {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`${what}: limit must be a non-negative integer, got ${limit}`);
  }
  return limit;
}
