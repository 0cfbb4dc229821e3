import type { DeadLetter } from '@parley/core';

/** What a sensitive header's value is replaced with. */
export const MASK = '••••••';

/** The header names to mask, lower-cased. */
export function sensitiveSet(names: ReadonlyArray<string>): ReadonlySet<string> {
  return new Set(names.map((name) => name.toLowerCase()));
}

/** Headers with the sensitive ones' values masked (names compared case-insensitively). */
export function maskHeaders<T extends object>(headers: T, sensitive: ReadonlySet<string>): T {
  if (sensitive.size === 0) return headers;
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      sensitive.has(name.toLowerCase()) && value !== undefined ? MASK : (value as unknown),
    ]),
  ) as T;
}

/** A dead letter as pages and JSON show it: its message's sensitive headers masked. */
export function maskDeadLetter(deadLetter: DeadLetter, sensitive: ReadonlySet<string>): DeadLetter {
  if (sensitive.size === 0) return deadLetter;
  return {
    ...deadLetter,
    message: { ...deadLetter.message, headers: maskHeaders(deadLetter.message.headers, sensitive) },
  };
}
