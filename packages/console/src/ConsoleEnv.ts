import type { Admin, Logger, SchemaRegistry } from '@parley/core';
import type { ConsoleUser } from './auth/ConsoleToken.ts';
import type { Session } from './auth/SessionStore.ts';
import type { BulkJobs } from './failures/BulkJobs.ts';

/** The Hono environment of the console's routes: who is signed in, and their session for a browser. */
export interface ConsoleEnv {
  Variables: {
    user: ConsoleUser;
    /** Absent for a request authenticated by a Bearer token. */
    session: Session | undefined;
  };
}

/** What every route file is given. */
export interface ConsoleDeps {
  readonly admin: Admin;
  readonly base: string;
  readonly sensitiveHeaders: ReadonlySet<string>;
  readonly schemas: SchemaRegistry | undefined;
  readonly jobs: BulkJobs;
  /** The most dead letters a second a bulk job may act on. */
  readonly bulkRate: number;
  /** Whether cookies are marked `Secure`. */
  readonly secureCookie: boolean;
  readonly logger: Logger;
  /** Records a change: who made it (the token's label), when, what and on what. */
  audit(user: ConsoleUser, action: string, target: string, detail?: Record<string, unknown>): void;
}
