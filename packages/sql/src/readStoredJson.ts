import type { ErrorRecord } from '@parley/core';

/**
 * The value of a JSON column, or `fallback(text)` when the text is not JSON of the expected shape: a row damaged
 * by hand or by another program is shown for what it is, and never fails a read of every row around it.
 */
export function readStoredJson<T>(
  text: string,
  fits: (value: unknown) => boolean,
  fallback: (text: string) => T,
): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fallback(text);
  }
  return fits(value) ? (value as T) : fallback(text);
}

/** True for a JSON object (not null, not an array). */
export function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A stored error record, or one that says the stored text could not be read. */
export function readErrorRecord(text: string): ErrorRecord {
  return readStoredJson<ErrorRecord>(
    text,
    (v) => isObject(v) && typeof (v as { message?: unknown }).message === 'string',
    (raw) => ({ name: 'UnreadableError', message: `the stored error is not readable: ${raw.slice(0, 500)}` }),
  );
}
