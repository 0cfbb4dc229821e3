import { createHash } from 'node:crypto';

/** FNV-1a of a string: 32 bits, enough to tell two runs' events apart. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof AbortSignal ? '<signal>' : typeof v === 'bigint' ? v.toString() : v,
  );
}

/**
 * Everything a simulated run did, in order — each store and bus call with its arguments, at its virtual time —
 * kept as a digest and a hash per event, so two runs of one seed can be compared and the first difference named.
 */
export class Trace {
  private readonly digest = createHash('sha256');
  private readonly labels: string[] = [];
  private readonly hashes: number[] = [];

  record(time: number, label: string, args: ReadonlyArray<unknown>): void {
    const text = `${time} ${label} ${stringify(args)}`;
    this.digest.update(text);
    this.labels.push(`${label} at +${time} ms`);
    this.hashes.push(fnv1a(text));
  }

  get length(): number {
    return this.hashes.length;
  }

  /** The digest of the whole run (ends the trace). */
  finish(): string {
    return this.digest.digest('hex');
  }

  /** Where `other` first differs from this trace, or undefined when they are the same. */
  divergence(other: Trace): string | undefined {
    const n = Math.min(this.length, other.length);
    for (let i = 0; i < n; i++) {
      if (this.hashes[i] !== other.hashes[i])
        return `event #${i} differs: ${this.labels[i]} in one run, ${other.labels[i]} in the other`;
    }
    if (this.length !== other.length)
      return `one run has ${this.length} events, the other ${other.length}; the first ${n} agree`;
    return undefined;
  }
}
