import type { Logger, SchemaRegistry } from '@parley/core';
import type { MeteredService } from './metrics/serviceMetrics.ts';
import type { ConsoleToken } from './auth/ConsoleToken.ts';

export interface ConsoleOptions {
  /** The secrets that open the console: at least one. Operators change things, readers only look. */
  tokens: ReadonlyArray<ConsoleToken>;
  /**
   * Header names (case-insensitive) whose values are never shown, in pages or JSON: e.g. `authorization`.
   * @default []
   */
  sensitiveHeaders?: ReadonlyArray<string>;
  /**
   * The application's schemas, to show a payload edit's problems field by field. Give the admin API the same
   * registry (`createAdmin({ schemas })`): it checks the edit again and refuses any without a schema.
   */
  schemas?: SchemaRegistry;
  /** At most this many dead letters per second in a bulk redrive or discard (a page may ask for fewer). @default 50 */
  bulkRate?: number;
  /** Where the console is mounted in a larger app, e.g. `/ops`; links and the cookie path start with it. @default '' */
  basePath?: string;
  /** How long a login lasts. @default 12 hours */
  sessionTtlMs?: number;
  /** Mark the session cookie `Secure` (when the console is served over HTTPS). @default false */
  secureCookie?: boolean;
  /**
   * Services this process runs: their counters and histograms (handler attempts, failures, retries, handler and
   * commit durations, dead letters written, the relay; see `serviceMetrics`) join `/metrics`. Without them
   * `/metrics` holds only what the store knows, the same for every process.
   * @default []
   */
  services?: ReadonlyArray<MeteredService>;
  /** Every change is logged here (at info) with who made it and when. @default defaultLogger() of @parley/core */
  logger?: Logger;
}
