import { describe, expect, it } from 'vitest';
import { decideExhaustion, decideFailure } from './decideFailure.ts';
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

describe('decideExhaustion', () => {
  const usual = { replay: false, decoded: true, canEscalate: true };

  it('applies the policy: park, skip, escalate or stop', () => {
    expect(decideExhaustion('park', usual)).toBe('park');
    expect(decideExhaustion('skip', usual)).toBe('skip');
    expect(decideExhaustion('escalate', usual)).toBe('escalate');
    expect(decideExhaustion('stop', usual)).toBe('stop');
  });

  it('parks what cannot be escalated: an undecodable message, or a consumer without onExhausted', () => {
    expect(decideExhaustion('escalate', { ...usual, decoded: false })).toBe('park');
    expect(decideExhaustion('escalate', { ...usual, canEscalate: false })).toBe('park');
  });

  it('puts a replayed message that failed again back as it was, whatever the policy', () => {
    for (const policy of ['park', 'skip', 'escalate', 'stop'] as const)
      expect(decideExhaustion(policy, { ...usual, replay: true })).toBe('restore');
  });
});
