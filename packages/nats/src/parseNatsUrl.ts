/** Where a NATS bus connects, as `createNatsBus` understands it. */
export interface NatsLocation {
  /** `host:port` of each server. */
  readonly servers: string[];
  readonly prefix: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** For logs and errors: the servers and prefix, never a password or token. */
  readonly description: string;
}

/** What `createNatsBus` accepts: a URL, or servers and a prefix. */
export type NatsTarget =
  string | { readonly servers: string | ReadonlyArray<string>; readonly prefix?: string };

export const DEFAULT_PREFIX = 'parley';

/**
 * Parses `nats://[user:pass@|token@]host[:port][,nats://host2…][?prefix=name]`. The port defaults to 4222;
 * `tls://` is accepted too.
 */
export function parseNatsUrl(target: NatsTarget): NatsLocation {
  if (typeof target !== 'string') {
    const list = typeof target.servers === 'string' ? [target.servers] : [...target.servers];
    if (list.length === 0) throw new TypeError('NATS bus: servers must not be empty');
    const parsed = list.map((server) => parseServer(server.includes('://') ? server : `nats://${server}`));
    return locate(parsed, target.prefix ?? DEFAULT_PREFIX);
  }
  const [first, ...others] = target.split(',');
  const parsed = [
    parseServer(first ?? ''),
    ...others.map((s) => parseServer(s.includes('://') ? s : `nats://${s}`)),
  ];
  const query = new URL(first ?? '').searchParams;
  return locate(parsed, query.get('prefix') ?? DEFAULT_PREFIX);
}

interface ParsedServer {
  scheme: string;
  hostPort: string;
  user?: string;
  pass?: string;
}

function parseServer(text: string): ParsedServer {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`not a NATS URL: ${JSON.stringify(redact(text))} (expected nats://host:port)`);
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') {
    throw new TypeError(`not a NATS URL: ${JSON.stringify(redact(text))} (expected nats://host:port)`);
  }
  if (url.hostname === '') throw new TypeError(`NATS URL ${JSON.stringify(redact(text))} has no host`);
  const server: ParsedServer = {
    scheme: url.protocol.slice(0, -1),
    hostPort: `${url.hostname}:${url.port === '' ? '4222' : url.port}`,
  };
  if (url.username !== '') server.user = decodeURIComponent(url.username);
  if (url.password !== '') server.pass = decodeURIComponent(url.password);
  return server;
}

function locate(servers: ParsedServer[], prefix: string): NatsLocation {
  const withUser = servers.find((s) => s.user !== undefined);
  const location: { -readonly [K in keyof NatsLocation]: NatsLocation[K] } = {
    servers: servers.map((s) => (s.scheme === 'tls' ? `tls://${s.hostPort}` : s.hostPort)),
    prefix,
    description: `${servers.map((s) => `${s.scheme}://${s.hostPort}`).join(',')} (prefix ${prefix})`,
  };
  if (withUser?.user !== undefined) {
    if (withUser.pass === undefined) location.token = withUser.user;
    else {
      location.user = withUser.user;
      location.pass = withUser.pass;
    }
  }
  return location;
}

function redact(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@');
}
