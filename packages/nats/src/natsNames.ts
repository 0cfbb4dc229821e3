/**
 * How Parley names map onto NATS: one stream per topic, one subject per partition, two KV buckets. Everything is
 * namespaced by a prefix so several applications (or test runs) share one server without colliding.
 */
export interface NatsNames {
  readonly prefix: string;
  /** `<prefix>_<topic>`: stream names may not contain `.`. */
  stream(topic: string): string;
  /** `<prefix>.<topic>.<partition>`. */
  subject(topic: string, partition: number): string;
  /** `<prefix>.<topic>.*`: every partition of a topic. */
  topicSubjects(topic: string): string;
  /** `<prefix>.>`: every topic of the prefix. */
  readonly allSubjects: string;
  /** KV bucket for consumer group progress and retention outcomes. */
  readonly stateBucket: string;
  /** KV bucket for partition leases and members. */
  readonly leaseBucket: string;
}

const PREFIX = /^[A-Za-z0-9-]{1,64}$/;

/** Names under `prefix` (letters, digits and `-`, so the `_` after it in stream names is unambiguous). */
export function natsNames(prefix: string): NatsNames {
  if (!PREFIX.test(prefix)) {
    throw new TypeError(
      `NATS prefix ${JSON.stringify(prefix)} is invalid: use letters, digits and '-' (at most 64)`,
    );
  }
  return {
    prefix,
    stream: (topic) => `${prefix}_${encodeToken(topic)}`,
    subject: (topic, partition) => `${prefix}.${encodeToken(topic)}.${partition}`,
    topicSubjects: (topic) => `${prefix}.${encodeToken(topic)}.*`,
    allSubjects: `${prefix}.>`,
    stateBucket: `${prefix}_state`,
    leaseBucket: `${prefix}_leases`,
  };
}

/**
 * Makes any string one token that is valid in a subject, a stream name and a KV key: letters, digits and `-`
 * stay, every other UTF-8 byte becomes `_xx` (so `.` is `_2e` and `_` is `_5f`). Injective, hence collision free.
 */
export function encodeToken(value: string): string {
  if (value === '') return '_';
  let out = '';
  for (const char of value) {
    if (/^[A-Za-z0-9-]$/.test(char)) out += char;
    else for (const byte of new TextEncoder().encode(char)) out += `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of {@link encodeToken}. */
export function decodeToken(token: string): string {
  if (token === '_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '_') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
