import { sha256 } from '@noble/hashes/sha2.js';
import { decodeTime, encodeTime, isValid, monotonicFactory } from 'ulidx';

/** A message or event id: a ULID, unique and sortable by creation time. */
export type MessageId = string & { readonly __brand: 'MessageId' };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const nextUlid = monotonicFactory();
const encoder = new TextEncoder();

/** A fresh, time-sortable id. Ids created in one process are strictly increasing. */
export function newMessageId(now: number = Date.now()): MessageId {
  return nextUlid(now) as MessageId;
}

/**
 * The id of the `index`-th message produced by `scope` while handling `source`. It is deterministic, so a
 * redelivered source message produces the same ids and the outbox or the bus drops the duplicates. It keeps the
 * source's timestamp, so derived ids sort near their cause.
 */
export function deriveMessageId(source: string, scope: string, index: number): MessageId {
  const time = isValid(source) ? decodeTime(source) : 0;
  const digest = sha256(encoder.encode(`${source}\u0000${scope}\u0000${index}`));
  return (encodeTime(time, 10) + base32(digest.subarray(0, 10))) as MessageId;
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

// 10 bytes = 80 bits = 16 Crockford base32 characters.
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}
