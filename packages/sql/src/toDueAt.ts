/**
 * A due time to store in an integer column: whole milliseconds, rounded up so that nothing comes due early
 * (a schedule may compute a fractional time). Throws a clear error for what is not a finite number.
 */
export function toDueAt(dueAt: number, what: string): number {
  if (!Number.isFinite(dueAt))
    throw new TypeError(`${what}: dueAt must be a finite number of ms, got ${dueAt}`);
  return Math.ceil(dueAt);
}
