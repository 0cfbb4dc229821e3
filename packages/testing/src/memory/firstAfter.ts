/**
 * The index of the first row whose position is greater than `after`, in rows sorted by increasing position
 * (binary search); `rows.length` when there is none. A NaN `after` matches nothing, as `position > NULL` does.
 */
export function firstAfter<T>(rows: ReadonlyArray<T>, after: number, positionOf: (row: T) => number): number {
  if (Number.isNaN(after)) return rows.length;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (positionOf(rows[middle] as T) > after) high = middle;
    else low = middle + 1;
  }
  return low;
}
