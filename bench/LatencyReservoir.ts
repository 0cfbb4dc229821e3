import { percentiles } from './percentiles.ts';

/**
 * A uniform random sample of at most `capacity` latencies (reservoir sampling, seeded), so a long run's
 * percentiles cost bounded memory: the memory scenario must not grow with the messages it counts.
 */
export class LatencyReservoir {
  private readonly values: number[] = [];
  private seen = 0;
  private seed: number;

  constructor(
    private readonly capacity = 100_000,
    seed = 1,
  ) {
    this.seed = seed >>> 0 || 1;
  }

  add(value: number): void {
    this.seen++;
    if (this.values.length < this.capacity) {
      this.values.push(value);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.values[slot] = value;
  }

  percentiles(): { p50: number; p99: number; p999: number } {
    return percentiles([...this.values]);
  }

  /** xorshift32: deterministic, so two runs sample alike. */
  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 2 ** 32;
  }
}
