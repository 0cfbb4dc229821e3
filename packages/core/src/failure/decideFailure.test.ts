import { describe, expect, it } from 'vitest';
import { decideFailure } from './decideFailure.ts';
import { resolveRetryPolicy } from './RetryPolicy.ts';

const policy = resolveRetryPolicy(
  {
    immediateRetries: 1,
    immediateDelay: 5,
    initialInterval: 1000,
    maxInterval: 1000,
    delayedRetries: 1,
    jitter: 0,
  },
  'test',
);
const at = (attempts: number, attemptInDelivery: number, delayedRetriesDone: number) => ({
  attempts,
  attemptInDelivery,
  delayedRetriesDone,
  firstFailedAt: 0,
  now: 10_000,
});

describe('decideFailure', () => {
  it('walks a transient failure through immediate retries, a delayed retry, then exhaustion', () => {
    expect(decideFailure('transient', policy, at(1, 1, 0))).toEqual({ kind: 'retry-now', delay: 5 });
    expect(decideFailure('transient', policy, at(2, 2, 0))).toEqual({
      kind: 'retry-at',
      at: 11_000,
      retry: 1,
    });
    expect(decideFailure('transient', policy, at(3, 1, 1))).toEqual({ kind: 'retry-now', delay: 5 });
    expect(decideFailure('transient', policy, at(4, 2, 1))).toEqual({
      kind: 'exhausted',
      reason: 'failed',
      by: 'delayedRetries',
    });
  });

  it('never retries invalid input, hands domain errors to the domain, and gives a single delivery no delay', () => {
    expect(decideFailure('invalid', policy, at(1, 1, 0))).toEqual({
      kind: 'exhausted',
      reason: 'invalid',
      by: 'invalid',
    });
    expect(decideFailure('domain', policy, at(1, 1, 0))).toEqual({ kind: 'domain' });
    expect(decideFailure('transient', policy, { ...at(1, 1, 0), singleDelivery: true })).toEqual({
      kind: 'retry-now',
      delay: 5,
    });
    expect(decideFailure('transient', policy, { ...at(2, 2, 0), singleDelivery: true })).toEqual({
      kind: 'exhausted',
      reason: 'failed',
      by: 'single-delivery',
    });
  });
});
