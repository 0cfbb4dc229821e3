/** When to pause a consumer because too many keys are being parked at once. */
export interface StormGuardOptions {
  /**
   * Sliding window, in ms.
   * @default 60000
   */
  windowMs?: number;
  /**
   * Share of the keys seen in the window that were newly parked, from 0 to 1.
   * @default 0.5
   */
  threshold?: number;
  /**
   * Newly parked keys needed in the window before the share counts, so a few failures never trip it.
   * @default 20
   */
  minParked?: number;
}

export type ResolvedStormGuard = Required<StormGuardOptions>;

export function resolveStormGuard(options: StormGuardOptions = {}, where: string): ResolvedStormGuard {
  const resolved = { windowMs: 60_000, threshold: 0.5, minParked: 20, ...options };
  if (!(resolved.windowMs > 0)) throw new TypeError(`${where}: stormGuard.windowMs must be > 0`);
  if (!(resolved.threshold > 0 && resolved.threshold <= 1))
    throw new TypeError(`${where}: stormGuard.threshold must be in (0, 1]`);
  if (!(Number.isInteger(resolved.minParked) && resolved.minParked >= 1)) {
    throw new TypeError(`${where}: stormGuard.minParked must be a positive integer`);
  }
  return resolved;
}

/**
 * The poison-storm guard: counts, over a sliding window kept as one-second buckets (constant memory whatever the
 * throughput), the messages a consumer handled and the keys it newly parked. `record` returns a reason once
 * the parked share passes the threshold.
 */
export class StormGuard {
  private buckets: Array<{ second: number; handled: number; parked: number }> = [];

  constructor(private readonly options: ResolvedStormGuard) {}

  /** Records one handled message; `parked` when it parked its key. */
  record(at: number, parked: boolean): string | undefined {
    const second = Math.floor(at / 1000);
    let bucket = this.buckets[this.buckets.length - 1];
    if (bucket === undefined || bucket.second !== second) {
      bucket = { second, handled: 0, parked: 0 };
      this.buckets.push(bucket);
    }
    bucket.handled++;
    if (parked) bucket.parked++;
    const oldest = Math.floor((at - this.options.windowMs) / 1000);
    while (this.buckets.length > 0 && (this.buckets[0] as { second: number }).second <= oldest)
      this.buckets.shift();
    if (!parked) return undefined;
    let handled = 0;
    let parkedKeys = 0;
    for (const b of this.buckets) {
      handled += b.handled;
      parkedKeys += b.parked;
    }
    if (parkedKeys < this.options.minParked || parkedKeys / handled < this.options.threshold)
      return undefined;
    return `poison storm: ${parkedKeys} keys parked out of ${handled} messages within ${this.options.windowMs} ms`;
  }

  reset(): void {
    this.buckets = [];
  }
}
