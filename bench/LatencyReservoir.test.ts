import { describe, expect, it } from 'vitest';
import { LatencyReservoir } from './LatencyReservoir.ts';

describe('LatencyReservoir', () => {
  it('gives exact percentiles while it holds every value', () => {
    const reservoir = new LatencyReservoir(1000);
    for (let i = 1; i <= 1000; i++) reservoir.add(i);
    expect(reservoir.percentiles()).toEqual({ p50: 501, p99: 991, p999: 1000 });
  });

  it('keeps a bounded, uniform sample of a long run', () => {
    const reservoir = new LatencyReservoir(1000);
    for (let i = 0; i < 100_000; i++) reservoir.add(i % 100);
    const { p50, p99 } = reservoir.percentiles();
    expect(p50).toBeGreaterThanOrEqual(45);
    expect(p50).toBeLessThanOrEqual(55);
    expect(p99).toBeGreaterThanOrEqual(97);
  });
});
