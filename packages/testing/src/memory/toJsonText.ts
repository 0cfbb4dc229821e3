/**
 * JSON text of a value to keep, or a clear error for what JSON cannot hold (`undefined`, a function). Values are
 * kept as text and parsed on every read, as a database would: a caller never shares an object with the store,
 * and what JSON drops or changes (an `undefined` field, a `Date`) is dropped or changed here too.
 */
export function toJsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} must be JSON-serialisable, got ${typeof value}`);
  return text;
}
