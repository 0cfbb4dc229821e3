/**
 * A due time to keep: whole milliseconds, rounded up so that nothing comes due early (a schedule may compute a
 * fractional time), as the SQL stores keep it in an integer column. Throws for what is not a finite number.
 */
export function toDueAt(dueAt: number, what: string): number {
  if (!Number.isFinite(dueAt))
    throw new TypeError(`${what}: dueAt must be a finite number of ms, got ${dueAt}`);
  return Math.ceil(dueAt);
}
