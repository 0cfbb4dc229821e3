import type { Logger } from '@parley/core';

/** One entry a {@link recordingLogger} kept. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string | undefined;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A logger that keeps what it is told, child bindings included, so a test can assert on warnings. */
export interface RecordingLogger extends Logger {
  readonly entries: LogEntry[];
  /** Entries at `level` or above. */
  atLeast(level: LogEntry['level']): LogEntry[];
}

const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/**
 * @example
 * const logger = recordingLogger();
 * const service = createService({ name: 'shop', store, bus, logger });
 * expect(logger.atLeast('warn')).toEqual([]);
 */
export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const write =
      (level: LogEntry['level']) =>
      (obj: object, msg?: string): void => {
        entries.push({ level, msg, fields: { ...bindings, ...obj } });
      };
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return Object.assign(make({}), {
    entries,
    atLeast: (level: LogEntry['level']) => entries.filter((e) => ORDER[e.level] >= ORDER[level]),
  });
}
