/**
 * Runs synchronous `work` now and returns its result as a promise, a throw becoming a rejection: the ports are
 * async, better-sqlite3 is not, and a port method must never throw synchronously.
 */
export function asPromise<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
