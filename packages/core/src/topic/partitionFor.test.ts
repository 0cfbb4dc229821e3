import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionFor } from './partitionFor.ts';

describe('partitionFor', () => {
  it('is stable and within range', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 256 }), (key, partitions) => {
        const p = partitionFor(key, partitions);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(partitions);
        expect(partitionFor(key, partitions)).toBe(p);
      }),
    );
  });

  it('spreads keys over partitions', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionFor(`key-${i}`, 8)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });

  it('keeps known assignments (publishers in other processes must agree)', () => {
    expect([partitionFor('alice', 8), partitionFor('bob', 8), partitionFor('', 8)]).toEqual([
      partitionFor('alice', 8),
      partitionFor('bob', 8),
      0x811c9dc5 % 8,
    ]);
  });
});
