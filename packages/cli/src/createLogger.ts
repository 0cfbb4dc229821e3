import type { Logger } from '@parley/core';
import { pino } from 'pino';

/** Structured JSON logs on stderr, so stdout stays free for results. */
export function createLogger(level: string): Logger {
  return pino({ level, base: null }, pino.destination(2));
}
