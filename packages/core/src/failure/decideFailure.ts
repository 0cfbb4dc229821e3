import type { FailureKind } from './classifyError.ts';
import type { ExhaustionPolicy } from './RetryPolicy.ts';
import { decideRetry, type FailedAttempt, type ResolvedRetryPolicy } from './RetryPolicy.ts';

/** What to do after a handler or a workflow step failed. */
export type FailureDecision =
  /** Retry in process after `delay` ms. */
  | { readonly kind: 'retry-now'; readonly delay: number }
  /** Retry through a durable timer at `at` (the key or the run waits): delayed retry number `retry`. */
  | { readonly kind: 'retry-at'; readonly at: number; readonly retry: number }
  /** A domain error: an outcome for the domain (a rejection, `onDomainError`), never retried. */
  | { readonly kind: 'domain' }
  /**
   * No retry: the exhaustion policy applies (park, skip, escalate or stop for consumers; park, compensate,
   * failover or escalate for steps). `reason` is what dead letters record; `by` says what ended it.
   */
  | {
      readonly kind: 'exhausted';
      readonly reason: 'failed' | 'invalid';
      readonly by: 'invalid' | 'delayedRetries' | 'maxAttempts' | 'maxAge' | 'single-delivery';
    };

/**
 * The failure path's decision, pure and shared by consumers and workflow steps: from the error's kind, the retry
 * policy and where the attempts stand, retry now, retry later, hand it to the domain, or give up. Invalid input is
 * never retried. With `singleDelivery` (a redriven message replayed on its own) there is no delayed retry: its
 * key has long gone on.
 */
export function decideFailure(
  kind: FailureKind,
  policy: ResolvedRetryPolicy,
  failed: FailedAttempt & { readonly singleDelivery?: boolean },
  random: () => number = Math.random,
): FailureDecision {
  if (kind === 'domain') return { kind: 'domain' };
  if (kind === 'invalid') return { kind: 'exhausted', reason: 'invalid', by: 'invalid' };
  const retry = decideRetry(policy, failed, random);
  switch (retry.kind) {
    case 'immediate':
      return { kind: 'retry-now', delay: retry.delay };
    case 'delayed':
      return failed.singleDelivery === true
        ? { kind: 'exhausted', reason: 'failed', by: 'single-delivery' }
        : { kind: 'retry-at', at: failed.now + retry.delay, retry: retry.retry };
    case 'exhausted':
      return { kind: 'exhausted', reason: 'failed', by: retry.by };
  }
}

/**
 * What a consumer does with a message whose retries are over (or that is invalid): the exhaustion policy, as the
 * situation allows.
 * - `park`: dead-letter it and keep its key blocked (also when `escalate` cannot apply: a message that could not
 *   be decoded has no type for `onExhausted`, and a consumer without `onExhausted` has no way to escalate).
 * - `skip`: dead-letter it for the record and release the key.
 * - `escalate`: hand it to `onExhausted`, then release the key (should `onExhausted` fail, it parks).
 * - `stop`: park it and pause the consumer.
 * - `restore`: a replayed message (escalated or skipped before, redriven on its own) failed again: it goes back to
 *   what it was, and the domain, which heard of the failure once, does not hear of it twice.
 */
export type ConsumerExhaustion = 'park' | 'skip' | 'escalate' | 'stop' | 'restore';

export function decideExhaustion(
  policy: ExhaustionPolicy,
  situation: { readonly replay: boolean; readonly decoded: boolean; readonly canEscalate: boolean },
): ConsumerExhaustion {
  if (situation.replay) return 'restore';
  if (policy === 'escalate') return situation.decoded && situation.canEscalate ? 'escalate' : 'park';
  return policy;
}
