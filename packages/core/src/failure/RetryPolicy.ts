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

/** How failing messages are retried. Every field has a default. */
export interface RetryPolicy {
  /**
   * Retries in process right after a failure, before falling back to delayed retries.
   * @default 2
   */
  immediateRetries?: number;
  /**
   * Pause between immediate retries, in ms.
   * @default 10
   */
  immediateDelay?: number;
  /**
   * Handler attempts in all, immediate ones included; then the exhaustion policy applies.
   * @default 8
   */
  maxAttempts?: number;
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
  /** Give up once the first failure is this many ms old, whatever the attempts. No limit by default. */
  maxAge?: number;
  /** @default 'park' */
  onExhausted?: ExhaustionPolicy;
}

export type ResolvedRetryPolicy = Required<Omit<RetryPolicy, 'maxAge'>> & { maxAge: number | undefined };

export const defaultRetryPolicy: ResolvedRetryPolicy = Object.freeze({
  immediateRetries: 2,
  immediateDelay: 10,
  maxAttempts: 8,
  initialInterval: 1000,
  backoffCoefficient: 2,
  maxInterval: 300_000,
  jitter: 0.2,
  maxAge: undefined,
  onExhausted: 'park',
});

/** Fills defaults and checks values; throws a TypeError naming the bad field. */
export function resolveRetryPolicy(policy: RetryPolicy = {}, where = 'retry policy'): ResolvedRetryPolicy {
  const resolved = { ...defaultRetryPolicy, ...stripUndefined(policy) };
  const check = (name: keyof ResolvedRetryPolicy, ok: boolean): void => {
    if (!ok) throw new TypeError(`${where}: invalid ${name}: ${String(resolved[name])}`);
  };
  check('immediateRetries', Number.isInteger(resolved.immediateRetries) && resolved.immediateRetries >= 0);
  check('immediateDelay', resolved.immediateDelay >= 0);
  check('maxAttempts', Number.isInteger(resolved.maxAttempts) && resolved.maxAttempts >= 1);
  check('initialInterval', resolved.initialInterval >= 0);
  check('backoffCoefficient', resolved.backoffCoefficient >= 1);
  check('maxInterval', resolved.maxInterval >= resolved.initialInterval);
  check('jitter', resolved.jitter >= 0 && resolved.jitter < 1);
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

/** True when no further attempt may be made. */
export function isExhausted(
  policy: ResolvedRetryPolicy,
  attempts: number,
  firstFailedAt: number,
  now: number,
): boolean {
  if (attempts >= policy.maxAttempts) return true;
  return policy.maxAge !== undefined && now - firstFailedAt >= policy.maxAge;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
