import type pg from 'pg';

/**
 * Where a store or bus lives: a `postgres://` URL (optionally with `?schema=name`), or an object naming the
 * connection string or an existing pool, and the schema.
 */
export type PostgresTarget =
  | string
  | {
      readonly connectionString?: string;
      /** @default 'parley' */
      readonly schema?: string;
      /** A pool to use instead of opening one; it is left open on close. */
      readonly pool?: pg.Pool;
    };

/** A target made concrete: what to connect to, which schema, and a password-free description. */
export interface ResolvedTarget {
  /** Without the `schema` parameter, which is Parley's, not libpq's. */
  readonly connectionString: string | undefined;
  readonly pool: pg.Pool | undefined;
  readonly schema: string;
  readonly description: string;
}

const DEFAULT_SCHEMA = 'parley';
// PostgreSQL truncates identifiers to 63 bytes; two schemas differing after that would silently be one.
const MAX_IDENTIFIER_BYTES = 63;

/**
 * Resolves a target. The schema comes from `schema` (the options), else the target object, else the URL's
 * `schema` parameter, else `parley`.
 */
export function resolveTarget(target: PostgresTarget, schema?: string): ResolvedTarget {
  const given = typeof target === 'string' ? { connectionString: target } : target;
  if (given.connectionString === undefined && given.pool === undefined) {
    throw new TypeError('a PostgreSQL target needs a connectionString or a pool');
  }
  let connectionString: string | undefined;
  let fromUrl: string | undefined;
  let description = 'postgres (pool)';
  if (given.connectionString !== undefined) {
    const url = parseUrl(given.connectionString);
    fromUrl = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    connectionString = url.toString();
    description = describe(url);
  }
  const resolved = checkSchema(
    schema ?? (typeof target === 'string' ? undefined : target.schema) ?? fromUrl ?? DEFAULT_SCHEMA,
  );
  return {
    connectionString,
    pool: given.pool,
    schema: resolved,
    description: `${description}${description.includes('?') ? '&' : '?'}schema=${encodeURIComponent(resolved)}`,
  };
}

function parseUrl(connectionString: string): URL {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new TypeError('a PostgreSQL connection string must be a URL: postgres://user@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new TypeError(`a PostgreSQL URL starts with postgres:// or postgresql://, got ${url.protocol}//`);
  }
  return url;
}

/** The URL without password, for logs and errors. */
function describe(url: URL): string {
  const safe = new URL(url.toString());
  safe.password = '';
  safe.searchParams.delete('password');
  for (const name of [...safe.searchParams.keys()]) {
    if (name !== 'host' && name !== 'port') safe.searchParams.delete(name);
  }
  return safe.toString();
}

function checkSchema(schema: string): string {
  if (typeof schema !== 'string' || schema === '') throw new TypeError('schema must be a non-empty string');
  if (Buffer.byteLength(schema) > MAX_IDENTIFIER_BYTES) {
    throw new RangeError(`schema "${schema}" is longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  }
  return schema;
}
