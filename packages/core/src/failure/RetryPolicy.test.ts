import { describe, expect, it } from 'vitest';
import { isExhausted, resolveRetryPolicy, retryDelay } from './RetryPolicy.ts';

describe('retry policy', () => {
  it('backs off exponentially up to the cap, with jitter around the base', () => {
    const policy = resolveRetryPolicy({
      initialInterval: 100,
      backoffCoefficient: 3,
      maxInterval: 1000,
      jitter: 0.1,
    });
    expect([1, 2, 3, 4].map((n) => retryDelay(policy, n, () => 0.5))).toEqual([100, 300, 900, 1000]);
    expect(retryDelay(policy, 2, () => 0)).toBe(270);
    expect(retryDelay(policy, 2, () => 1)).toBe(330);
  });

  it('is exhausted by attempts or by age', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 3, maxAge: 60_000 });
    expect(isExhausted(policy, 2, 0, 1000)).toBe(false);
    expect(isExhausted(policy, 3, 0, 1000)).toBe(true);
    expect(isExhausted(policy, 1, 0, 60_000)).toBe(true);
  });

  it('refuses nonsense with the field named', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ onExhausted: 'explode' as never })).toThrow(/onExhausted/);
    expect(resolveRetryPolicy({ maxAttempts: undefined } as never).maxAttempts).toBe(8);
  });
});
