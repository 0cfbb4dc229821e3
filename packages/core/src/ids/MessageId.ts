import { decodeTime, isValid, monotonicFactory } from 'ulidx';
import { murmur3x86128 } from './murmur3x86128.ts';

/** A message or event id: a ULID, unique and sortable by creation time. */
export type MessageId = string & { readonly __brand: 'MessageId' };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const systemUlid = monotonicFactory();
let nextUlid = systemUlid;
/** A ULID's shape: 48 bits of time (10 characters, the first at most 7), then 80 bits. */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const NO_TIME = '0000000000';

/** A fresh, time-sortable id. Ids created in one process are strictly increasing. */
export function newMessageId(now: number = Date.now()): MessageId {
  return nextUlid(now) as MessageId;
}

/**
 * Where the random part of fresh ids comes from, for the whole process: `random` (a seeded source, so a simulation
 * that replays a seed creates the same ids), or with no argument the system's cryptographic source again. Each call
 * starts a new monotonic sequence.
 */
export function useIdRandomness(random?: () => number): void {
  nextUlid = random === undefined ? systemUlid : monotonicFactory(random);
}

/**
 * The id of the `index`-th message produced by `scope` while handling `source`. It is deterministic, so a
 * redelivered source message produces the same ids and the outbox or the bus drops the duplicates. It keeps the
 * source's timestamp, so derived ids sort near their cause.
 */
export function deriveMessageId(source: string, scope: string, index: number): MessageId {
  const time = ULID.test(source) ? source.slice(0, 10).toUpperCase() : NO_TIME;
  const digest = murmur3x86128(`${source}\u0000${scope}\u0000${index}`);
  return (time + base32(digest)) as MessageId;
}

/** Checks and brands an id read from outside (a CLI argument, a JSON file). */
export function parseMessageId(value: string): MessageId {
  if (!isValid(value)) throw new TypeError(`not a message id (ULID expected): ${JSON.stringify(value)}`);
  return value.toUpperCase() as MessageId;
}

/** Milliseconds since the epoch at which the id was created. */
export function messageIdTime(id: MessageId): number {
  return decodeTime(id);
}

/** The first 10 bytes (80 bits) of `bytes` as 16 Crockford base32 characters. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < 10; i++) {
    // At most 12 bits wait in the buffer, so it never overflows 32 bits.
    buffer = ((buffer << 8) | (bytes[i] ?? 0)) & 0xfffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD.charAt((buffer >>> bits) & 31);
    }
  }
  return out;
}
