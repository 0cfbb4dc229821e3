import { createHash, timingSafeEqual } from 'node:crypto';

/** What a token lets its holder do: `read` sees everything, `operate` also changes things. */
export type ConsoleRole = 'read' | 'operate';

/** A secret that opens the console, with the name it acts under in the audit trail. */
export interface ConsoleToken {
  /** Who holds it: the `by` of every change made with it. */
  readonly label: string;
  readonly secret: string;
  readonly role: ConsoleRole;
}

/** Who is signed in. */
export interface ConsoleUser {
  readonly label: string;
  readonly role: ConsoleRole;
}

/** Same-length digests, so that comparing them takes the same time whatever the guess. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares two secrets in constant time (over their SHA-256 digests, so lengths leak nothing either). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token whose secret is `given`; every token is compared, so the time taken does not tell which matched. */
export function matchToken(tokens: ReadonlyArray<ConsoleToken>, given: string): ConsoleToken | undefined {
  let found: ConsoleToken | undefined;
  for (const token of tokens) if (sameSecret(given, token.secret) && found === undefined) found = token;
  return found;
}
