/**
 * The bytes a consumer has fetched and not yet committed, by message: what its `readAheadBytes` bounds. A size is
 * the length of the payload's JSON text, as the bus reads count it (see `checkMaxBytes`).
 */
export class ReadAhead {
  private sizes: Array<Map<number, number> | undefined> = [];
  private total = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes fetched and not yet committed. */
  get bytes(): number {
    return this.total;
  }

  /** What the next read may fetch; 0 or less: nothing until a commit frees some. */
  get room(): number {
    return this.maxBytes - this.total;
  }

  fetched(partition: number, position: number, size: number): void {
    if (size <= 0) return;
    let sizes = this.sizes[partition];
    if (sizes === undefined) this.sizes[partition] = sizes = new Map();
    sizes.set(position, size);
    this.total += size;
  }

  committed(partition: number, position: number): void {
    const sizes = this.sizes[partition];
    const size = sizes?.get(position);
    if (size === undefined) return;
    sizes?.delete(position);
    this.total -= size;
  }

  /** Forgets everything (a rewind drops all uncommitted work). */
  clear(): void {
    this.sizes = [];
    this.total = 0;
  }
}
