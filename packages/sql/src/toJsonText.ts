/** JSON text of a value to store, or a clear error for what JSON cannot hold (`undefined`, a function). */
export function toJsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} must be JSON-serialisable, got ${typeof value}`);
  return text;
}
