import { randomBytes } from 'node:crypto';
import type { ConsoleUser } from './ConsoleToken.ts';

/** A signed-in browser: who it is, and the token its changes must carry against cross-site requests. */
export interface Session {
  readonly id: string;
  readonly user: ConsoleUser;
  readonly csrf: string;
  readonly expiresAt: number;
}

/** An unguessable token, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Sessions in memory: restarting the console signs everyone out. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  open(user: ConsoleUser): Session {
    this.#sweep();
    const session = { id: randomToken(), user, csrf: randomToken(), expiresAt: this.now() + this.ttlMs };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined || session.expiresAt <= this.now()) {
      this.#sessions.delete(id ?? '');
      return undefined;
    }
    return session;
  }

  close(id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(id);
  }

  #sweep(): void {
    const now = this.now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}
