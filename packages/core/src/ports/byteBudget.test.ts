import { describe, expect, it } from 'vitest';
import { checkMaxBytes, countWithinBytes } from './byteBudget.ts';

describe('countWithinBytes', () => {
  it('takes the leading sizes that add up to at most the budget', () => {
    expect(countWithinBytes([4, 4, 4], 8)).toBe(2);
    expect(countWithinBytes([4, 4, 4], 7)).toBe(1);
    expect(countWithinBytes([4, 4, 4], 12)).toBe(3);
    expect(countWithinBytes([1, 9, 1], 10)).toBe(2);
  });

  it('always takes the first, even when it alone is over the budget', () => {
    expect(countWithinBytes([100, 1], 10)).toBe(1);
    expect(countWithinBytes([], 10)).toBe(0);
  });

  it('takes everything without a budget', () => {
    expect(countWithinBytes([1e9, 1e9], Number.POSITIVE_INFINITY)).toBe(2);
  });
});

describe('checkMaxBytes', () => {
  it('accepts a positive integer or Infinity and refuses anything else', () => {
    expect(checkMaxBytes(1, 'read')).toBe(1);
    expect(checkMaxBytes(Number.POSITIVE_INFINITY, 'read')).toBe(Number.POSITIVE_INFINITY);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => checkMaxBytes(bad, 'read')).toThrow(/maxBytes/);
  });
});
