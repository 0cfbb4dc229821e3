/** What happens when a message's retries are exhausted. */
export const ExhaustionPolicy = {
  /** Dead-letter it and keep its key blocked, so later messages of the key wait in order. */
  park: 'park',
  /** Dead-letter it for the record, release the key, continue. */
  skip: 'skip',
  /** Call `onExhausted`, whose effects turn the failure into domain events or commands; then continue. */
  escalate: 'escalate',
  /** Dead-letter it, keep its key blocked, and pause the whole consumer with an alert. */
  stop: 'stop',
} as const;
export type ExhaustionPolicy = (typeof ExhaustionPolicy)[keyof typeof ExhaustionPolicy];

/**
 * How failing messages are retried. Every field has a default. Immediate and delayed retries have budgets of
 * their own: every delivery of a message (the first, and each delayed retry) gets `immediateRetries` in
 * process; after the first delivery fails, up to `delayedRetries` later deliveries follow through durable
 * timers, with exponential backoff. With the defaults a message is retried for about 13.5 minutes
 * (1 s, 2 s, 4 s … then every 5 min) before the exhaustion policy applies: an outage of minutes is ridden out.
 *
 * @example
 * retry: { immediateRetries: 2, delayedRetries: 10, initialInterval: 1000, maxInterval: 300_000 }
 */
export interface RetryPolicy {
  /**
   * Retries in process right after a failure, on every delivery (the first and each delayed retry).
   * @default 2
   */
  immediateRetries?: number;
  /**
   * Pause between immediate retries, in ms.
   * @default 10
   */
  immediateDelay?: number;
  /**
   * Delayed retries after the first delivery failed, each through a durable timer (the key is parked
   * meanwhile), `initialInterval`, then `backoffCoefficient` times longer each time, at most `maxInterval`.
   * @default 10
   */
  delayedRetries?: number;
  /**
   * Delay before the first delayed retry, in ms.
   * @default 1000
   */
  initialInterval?: number;
  /**
   * Factor between successive delayed retries.
   * @default 2
   */
  backoffCoefficient?: number;
  /**
   * Longest delay between delayed retries, in ms.
   * @default 300000
   */
  maxInterval?: number;
  /**
   * Random spread of each delay, as a fraction of it (0.2 = ±20%).
   * @default 0.2
   */
  jitter?: number;
  /**
   * An overall cap on handler attempts in one retry cycle, immediate ones included, whatever the budgets
   * above still allow. No cap by default.
   */
  maxAttempts?: number;
  /** Give up once the first failure is this many ms old, whatever the budgets. No limit by default. */
  maxAge?: number;
  /** @default 'park' */
  onExhausted?: ExhaustionPolicy;
}

export type ResolvedRetryPolicy = Required<Omit<RetryPolicy, 'maxAge' | 'maxAttempts'>> & {
  maxAge: number | undefined;
  maxAttempts: number | undefined;
};

export const defaultRetryPolicy: ResolvedRetryPolicy = Object.freeze({
  immediateRetries: 2,
  immediateDelay: 10,
  delayedRetries: 10,
  initialInterval: 1000,
  backoffCoefficient: 2,
  maxInterval: 300_000,
  jitter: 0.2,
  maxAttempts: undefined,
  maxAge: undefined,
  onExhausted: 'park',
});

/** Fills defaults and checks values; throws a TypeError naming the bad field. */
export function resolveRetryPolicy(policy: RetryPolicy = {}, where = 'retry policy'): ResolvedRetryPolicy {
  const resolved = { ...defaultRetryPolicy, ...stripUndefined(policy) };
  const check = (name: keyof ResolvedRetryPolicy, ok: boolean): void => {
    if (!ok) throw new TypeError(`${where}: invalid ${name}: ${String(resolved[name])}`);
  };
  const count = (n: number): boolean => Number.isInteger(n) && n >= 0;
  check('immediateRetries', count(resolved.immediateRetries));
  check('immediateDelay', resolved.immediateDelay >= 0);
  check('delayedRetries', count(resolved.delayedRetries));
  check('initialInterval', resolved.initialInterval >= 0);
  check('backoffCoefficient', resolved.backoffCoefficient >= 1);
  check('maxInterval', resolved.maxInterval >= resolved.initialInterval);
  check('jitter', resolved.jitter >= 0 && resolved.jitter < 1);
  check(
    'maxAttempts',
    resolved.maxAttempts === undefined ||
      (Number.isInteger(resolved.maxAttempts) && resolved.maxAttempts >= 1),
  );
  check('maxAge', resolved.maxAge === undefined || resolved.maxAge > 0);
  check('onExhausted', Object.values(ExhaustionPolicy).includes(resolved.onExhausted));
  return resolved;
}

/**
 * Delay before delayed retry number `retry` (1 for the first): exponential, capped, with jitter.
 * `random` is injectable for deterministic tests.
 */
export function retryDelay(
  policy: ResolvedRetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.maxInterval,
    policy.initialInterval * policy.backoffCoefficient ** Math.max(0, retry - 1),
  );
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** Where a failing message stands right after an attempt failed. */
export interface FailedAttempt {
  /** Handler attempts in this retry cycle, the failed one included. */
  readonly attempts: number;
  /** Attempts in the current delivery, the failed one included: 1 for the delivery's first. */
  readonly attemptInDelivery: number;
  /** Delayed retries already made in this retry cycle (0 during the first delivery). */
  readonly delayedRetriesDone: number;
  /** When the first attempt of this message failed, in ms since the epoch. */
  readonly firstFailedAt: number;
  readonly now: number;
}

/** What to do after a failed attempt. */
export type RetryDecision =
  /** Retry in process after `delay` ms. */
  | { readonly kind: 'immediate'; readonly delay: number }
  /** Park the key and retry through a durable timer after `delay` ms: delayed retry number `retry`. */
  | { readonly kind: 'delayed'; readonly delay: number; readonly retry: number }
  /** No budget left: the exhaustion policy applies. `by` says which limit ended it. */
  | { readonly kind: 'exhausted'; readonly by: 'delayedRetries' | 'maxAttempts' | 'maxAge' };

/**
 * The retry step of the failure path, pure: after a failed attempt, retry at once, retry later, or give up.
 * The caps (`maxAttempts`, `maxAge`) come first, then the delivery's immediate retries, then the delayed ones.
 */
export function decideRetry(
  policy: ResolvedRetryPolicy,
  failed: FailedAttempt,
  random: () => number = Math.random,
): RetryDecision {
  if (policy.maxAttempts !== undefined && failed.attempts >= policy.maxAttempts)
    return { kind: 'exhausted', by: 'maxAttempts' };
  if (policy.maxAge !== undefined && failed.now - failed.firstFailedAt >= policy.maxAge)
    return { kind: 'exhausted', by: 'maxAge' };
  if (failed.attemptInDelivery <= policy.immediateRetries)
    return { kind: 'immediate', delay: policy.immediateDelay };
  if (failed.delayedRetriesDone >= policy.delayedRetries) return { kind: 'exhausted', by: 'delayedRetries' };
  const retry = failed.delayedRetriesDone + 1;
  return { kind: 'delayed', delay: retryDelay(policy, retry, random), retry };
}

/**
 * Delayed retries made in this retry cycle, the current delivery included when it is one, counted from the
 * cycle's attempts (the one that just failed included): every failed delivery used its whole immediate budget,
 * since a delivery ends early only when it succeeds or gives up.
 */
export function delayedRetriesMade(policy: ResolvedRetryPolicy, attempts: number): number {
  return Math.max(0, Math.ceil(attempts / (1 + policy.immediateRetries)) - 1);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
