import { pino } from 'pino';
import type { Logger } from './Logger.ts';

let shared: Logger | undefined;

/**
 * The logger Parley uses when it is given none: pino, writing warnings and errors as JSON lines to stderr, so a
 * stuck relay or a failing consumer is never silent. Pass `logger` (any pino logger, or {@link silentLogger}) to
 * change level or destination.
 */
export function defaultLogger(): Logger {
  shared ??= pino({ level: 'warn', base: null }, pino.destination({ dest: 2, sync: true }));
  return shared;
}
