/**
 * The values of `items`, some of which may still be promises: the array itself when none is (no promise and no
 * microtask per item on the synchronous path), else a promise of all of them, rejecting with the first failure.
 */
export function whenAll<T>(items: ReadonlyArray<T | Promise<T>>): T[] | Promise<T[]> {
  return items.some((item) => item instanceof Promise)
    ? Promise.all(items.map((item) => Promise.resolve(item)))
    : (items as T[]);
}
