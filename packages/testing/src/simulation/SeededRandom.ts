import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A seeded stream of random numbers: the same seed gives the same numbers, in the same order. */
export class SeededRandom {
  private readonly rng: RandomGenerator;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  /** A number in [0, 1). */
  next(): number {
    return uniformFloat64(this.rng);
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** True with probability `rate`; draws nothing when the rate is 0, so a fault that is off changes no stream. */
  chance(rate: number): boolean {
    return rate > 0 && this.next() < rate;
  }

  /** An independent stream, seeded from this one. */
  fork(): SeededRandom {
    return new SeededRandom(this.below(0x7fffffff));
  }
}
