import { describe, expect, it } from 'vitest';
import {
  decideRetry,
  delayedRetriesMade,
  resolveRetryPolicy,
  retryDelay,
  type ResolvedRetryPolicy,
  type RetryPolicy,
} from './RetryPolicy.ts';

interface Run {
  /** Virtual time of each handler attempt, ms after the first. */
  readonly attempts: number[];
  /** Virtual time each delivery (the first, then each delayed retry) started. */
  readonly deliveries: number[];
  readonly outcome: 'handled' | 'exhausted';
  readonly at: number;
}

/**
 * Drives a message through the policy on a virtual clock, as the consumer does: the handler fails while the
 * clock is before `outageEnds`; delayed retries are counted from the attempts, as a dead letter records them.
 */
function run(policy: RetryPolicy, outageEnds: number, random: () => number = () => 0.5): Run {
  const resolved: ResolvedRetryPolicy = resolveRetryPolicy(policy);
  let now = 0;
  let attempts = 0;
  const times: number[] = [];
  const deliveries: number[] = [];
  for (;;) {
    deliveries.push(now);
    for (let round = 1; ; round++) {
      times.push(now);
      attempts++;
      if (now >= outageEnds) return { attempts: times, deliveries, outcome: 'handled', at: now };
      const decision = decideRetry(
        resolved,
        {
          attempts,
          attemptInDelivery: round,
          delayedRetriesDone: delayedRetriesMade(resolved, attempts),
          firstFailedAt: 0,
          now,
        },
        random,
      );
      if (decision.kind === 'exhausted')
        return { attempts: times, deliveries, outcome: 'exhausted', at: now };
      now += decision.delay;
      if (decision.kind === 'delayed') break;
    }
  }
}

const seconds = (ms: number[]): number[] => ms.map((t) => Math.round(t / 1000));

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

  it('keeps to the documented default timeline: 3 attempts a delivery, 10 delayed retries over 13.5 minutes', () => {
    const never = run({}, Infinity);
    // The table in the README, "When messages fail".
    expect(seconds(never.deliveries)).toEqual([0, 1, 3, 7, 15, 31, 63, 127, 255, 511, 811]);
    expect(never.attempts).toHaveLength(33);
    expect(never.attempts.slice(0, 4)).toEqual([0, 10, 20, 1020]);
    expect(never.outcome).toBe('exhausted');
    expect(Math.round(never.at / 1000)).toBe(811);
    // Jitter (±20% of each delay) moves the end by at most a fifth either way.
    expect(run({}, Infinity, () => 0).at).toBeGreaterThanOrEqual(0.8 * 811_000);
    expect(run({}, Infinity, () => 0.999).at).toBeLessThanOrEqual(1.2 * 811_200);
  });

  it('rides out outages of seconds and minutes with the defaults', () => {
    const tenSeconds = run({}, 10_000);
    expect(tenSeconds.outcome).toBe('handled');
    expect(Math.round(tenSeconds.at / 1000)).toBe(15);
    const fiveMinutes = run({}, 300_000);
    expect(fiveMinutes).toMatchObject({ outcome: 'handled' });
    expect(Math.round(fiveMinutes.at / 1000)).toBe(511);
    expect(run({}, 800_000, () => 0.999).outcome).toBe('handled');
    expect(run({}, 15 * 60_000).outcome).toBe('exhausted');
  });

  it('gives every delivery its own immediate retries', () => {
    const r = run(
      { immediateRetries: 1, immediateDelay: 5, delayedRetries: 2, initialInterval: 100, jitter: 0 },
      Infinity,
    );
    expect(r.attempts).toEqual([0, 5, 105, 110, 310, 315]);
    expect(r.deliveries).toEqual([0, 105, 310]);
  });

  it('caps the whole cycle by maxAttempts or maxAge when given', () => {
    expect(run({ maxAttempts: 4 }, Infinity).attempts).toHaveLength(4);
    expect(run({ immediateRetries: 0, delayedRetries: 0 }, Infinity).attempts).toHaveLength(1);
    const aged = run({ maxAge: 60_000 }, Infinity);
    expect(aged.outcome).toBe('exhausted');
    expect(Math.round(aged.at / 1000)).toBe(63);
    const policy = resolveRetryPolicy({ maxAttempts: 3, maxAge: 60_000 });
    const failed = { attemptInDelivery: 1, delayedRetriesDone: 0, firstFailedAt: 0 };
    expect(decideRetry(policy, { ...failed, attempts: 2, now: 1000 }).kind).toBe('immediate');
    expect(decideRetry(policy, { ...failed, attempts: 3, now: 1000 })).toEqual({
      kind: 'exhausted',
      by: 'maxAttempts',
    });
    expect(decideRetry(policy, { ...failed, attempts: 1, now: 60_000 })).toEqual({
      kind: 'exhausted',
      by: 'maxAge',
    });
  });

  it('refuses nonsense with the field named', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ delayedRetries: -1 })).toThrow(/delayedRetries/);
    expect(() => resolveRetryPolicy({ onExhausted: 'explode' as never })).toThrow(/onExhausted/);
    expect(resolveRetryPolicy({ delayedRetries: undefined } as never).delayedRetries).toBe(10);
    expect(resolveRetryPolicy().maxAttempts).toBeUndefined();
  });
});
