/**
 * JSON text of a value to store, or a clear error for what JSON cannot hold (`undefined`, a function). `what`
 * names the value in that error (a function is called only then, so the hot path builds no string).
 */
export function toJsonText(value: unknown, what: string | (() => string)): string {
  const text = JSON.stringify(value);
  if (text === undefined) {
    const named = typeof what === 'string' ? what : what();
    throw new TypeError(`${named} must be JSON-serialisable, got ${typeof value}`);
  }
  return text;
}
