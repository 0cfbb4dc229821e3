/**
 * What a lost or refused PostgreSQL connection looks like, and whether the statement it interrupted can have taken
 * effect. A restart, a failover or a network cut shows up as one of these; none of them is the caller's fault, so
 * the work is retried once the server answers again.
 */

/** SQLSTATE codes of a server that ended or refused the session: the statement was not applied. */
const SERVER_GONE = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the database system is starting up / shutting down
  '53300', // too_many_connections
]);

/** Node socket errors of a connection that could not be made or was cut. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Messages pg gives to a connection that ended under a query or timed out while connecting. */
const PG_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error and is not queryable/,
  /Client was closed and is not queryable/,
];

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The server ended or refused the session with an error response: whatever was asked was not applied. */
export function isRefusedByServer(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (SERVER_GONE.has(code) || code.startsWith('08'));
}

/** pg refused to send the statement: its client had already lost its connection. Nothing reached the server. */
export function wasNeverSent(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /is not queryable/.test(message);
}

/** The connection is gone or could not be made: the server may be restarting, or the network is down. */
export function isConnectionLoss(error: unknown): boolean {
  if (isRefusedByServer(error)) return true;
  const code = codeOf(error);
  if (code !== undefined && SOCKET_CODES.has(code)) return true;
  // AggregateError: a connect to localhost tried ::1 and 127.0.0.1 and both failed.
  if (error instanceof AggregateError) return error.errors.some(isConnectionLoss);
  const message = error instanceof Error ? error.message : '';
  return PG_MESSAGES.some((pattern) => pattern.test(message));
}
