import path from 'node:path';

/** Where a SQLite database lives, as read from a URL. */
export interface SqliteLocation {
  /** Absolute path of the database file, or `:memory:`. */
  readonly filename: string;
  /** True for `sqlite::memory:`: a private database that lives as long as its connection. */
  readonly memory: boolean;
  /** The URL in canonical form, for logs and errors, e.g. `sqlite:./data/app.db`. */
  readonly description: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * Reads a SQLite URL: `sqlite:./data/app.db` (relative to the working directory), `sqlite:///abs/path.db`,
 * `sqlite:/abs/path.db`, `sqlite::memory:`, or a plain file path. Pure: it touches no file (opening the
 * database creates the parent directory).
 *
 * @example
 * parseSqliteUrl('sqlite:./data/app.db'); // { filename: '/cwd/data/app.db', memory: false, description: 'sqlite:./data/app.db' }
 */
export function parseSqliteUrl(url: string): SqliteLocation {
  const file = fileOf(url);
  if (file === ':memory:') return { filename: ':memory:', memory: true, description: 'sqlite::memory:' };
  if (file.includes('\0')) throw invalid(url, 'the path contains a NUL character');
  return { filename: path.resolve(file), memory: false, description: `sqlite:${file}` };
}

function fileOf(url: string): string {
  const trimmed = url.trim();
  if (trimmed === '') throw invalid(url, 'it is empty');
  const scheme = SCHEME.exec(trimmed)?.[1];
  if (scheme === undefined || WINDOWS_DRIVE.test(trimmed)) return trimmed;
  if (scheme.toLowerCase() !== 'sqlite') throw invalid(url, `the scheme "${scheme}:" is not "sqlite:"`);
  const rest = trimmed.slice(scheme.length + 1);
  if (rest.startsWith('//')) {
    // `sqlite:///abs/path` has an empty authority; a host (`sqlite://host/x`) means nothing to SQLite.
    if (!rest.startsWith('///'))
      throw invalid(url, 'write sqlite:///absolute/path or sqlite:./relative/path');
    return rest.slice(2);
  }
  if (rest === '') throw invalid(url, 'it names no file');
  return rest;
}

function invalid(url: string, reason: string): Error {
  return new Error(
    `invalid SQLite URL ${JSON.stringify(url)}: ${reason}. ` +
      'Expected sqlite:./relative.db, sqlite:///absolute.db, sqlite::memory: or a file path',
  );
}
