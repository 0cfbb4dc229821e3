import type { Delivered } from '../envelope/Envelope.ts';
import type { ErrorRecord } from '../ports/DeadLetter.ts';
import type { RetryPolicy } from '../failure/RetryPolicy.ts';
import type { SchemaMap } from '../schema/validate.ts';
import type { PublishInput, TopicDefinition } from '../topic/defineTopic.ts';

/** The reply to a `ctx.request`: the command's outcome, and the reply message itself. */
export type RequestReply =
  | { readonly status: 'accepted'; readonly result: unknown; readonly message: Delivered }
  | {
      readonly status: 'rejected';
      readonly rejection: { code: string; message: string; details?: Record<string, unknown> };
      readonly message: Delivered;
    };

/** What a step's function is given. */
export interface StepInfo {
  /** Stable across retries and replays of this step: hand it to external calls as their idempotency key. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted when the step's `timeout` passes or the service stops. */
  readonly signal: AbortSignal;
}

/** What happens when a step's retries are exhausted. */
export const StepExhaustion = {
  /** The run is suspended as failed: operators see it beside dead letters; a redrive resumes it at this step. */
  park: 'park',
  /** The step throws into the workflow; unless the workflow catches it, the run fails and compensates. */
  compensate: 'compensate',
} as const;
export type StepExhaustion = (typeof StepExhaustion)[keyof typeof StepExhaustion];

export interface StepOptions<T> {
  /**
   * The consumers' retry policy, applied to the step: immediate retries in process, then delayed retries
   * through durable timers.
   * @default immediateRetries 2, delayedRetries 10, 1 s doubling to 5 min
   */
  retry?: RetryPolicy;
  /** Each attempt's time limit in ms: past it, its signal aborts and the attempt counts as failed. */
  timeout?: number;
  /** Undoes the step; runs, journaled and retried like a step, when the run fails or is cancelled after it. */
  compensate?: (result: T, info: StepInfo) => Promise<unknown>;
  /**
   * When retries run out: `park` or `compensate`, or a step to run in its place (its result becomes this
   * step's result).
   * @default 'park'
   */
  onExhausted?: StepExhaustion | { failover: (info: StepInfo) => Promise<T> } | StepEscalation;
}

/**
 * A step's `escalate` exhaustion: a domain event published through the outbox, committed with the step's failure,
 * then the step throws into the workflow as with `compensate`. Build it with {@link escalateTo}.
 */
export interface StepEscalation {
  readonly escalate: {
    readonly topic: TopicDefinition;
    readonly message: (error: ErrorRecord) => PublishInput<SchemaMap>;
  };
}

/**
 * A step's exhaustion that escalates: when its retries run out, `message(error)` is published to `topic`
 * (exactly once, with the step's failure) for the domain to handle, and the step throws into the workflow.
 *
 * @example
 * await ctx.step('charge', () => gateway.charge(input), {
 *   onExhausted: escalateTo(paymentEvents, (error) => ({
 *     type: 'ChargeFailed',
 *     key: input.orderId,
 *     payload: { orderId: input.orderId, error: error.message },
 *   })),
 * });
 */
export function escalateTo<M extends SchemaMap>(
  topic: TopicDefinition<M>,
  message: (error: ErrorRecord) => PublishInput<M>,
): StepEscalation {
  return { escalate: { topic, message } };
}

/** One branch of a `ctx.race`: a wait for a message, or a timer. */
export type RaceBranch =
  | { readonly waitFor: TopicDefinition; readonly match?: (message: Delivered) => boolean }
  | { readonly sleep: number }
  | { readonly until: Date | number };

/** Which branch of a race won: a wait's branch comes with its message. */
export type RaceResult<B extends Record<string, RaceBranch>> = {
  [K in keyof B & string]: B[K] extends { waitFor: TopicDefinition }
    ? { readonly winner: K; readonly message: Delivered }
    : { readonly winner: K };
}[keyof B & string];

export interface WaitOptions {
  /** Only messages it accepts are taken. */
  match?: (message: Delivered) => boolean;
  /** ms; on timeout the wait throws a `WorkflowTimeoutError`. Waits forever when absent. */
  timeout?: number;
}

/**
 * A workflow run's view of the world. The workflow function is replayed from the start on every activation;
 * everything it learns or does must go through `ctx`, in the same order every time, so that the replay finds each
 * result in the journal. A replay that asks for something else than the journal holds stops with a
 * `NonDeterminismError` and the run parks, untouched.
 */
export interface WorkflowContext {
  /** The run's id: its workflow id. */
  readonly runId: string;
  /** True while replaying what the journal already holds (for logs that should not repeat). */
  readonly replaying: boolean;

  /** Runs `fn` once: its result is journaled, a replay returns it without running it again. */
  step<T>(name: string, fn: (info: StepInfo) => Promise<T>, options?: StepOptions<T>): Promise<T>;

  /** Durable sleep, on the service's timers: survives restarts. */
  sleep(ms: number): Promise<void>;
  sleepUntil(at: Date | number): Promise<void>;

  /** The time, journaled. */
  now(): Promise<number>;
  /** A random number in [0, 1), journaled. */
  random(): Promise<number>;
  /** A unique id, journaled. */
  uuid(): Promise<string>;

  /** Publishes through the outbox, exactly once, committed with the journal entry that records it. */
  publish<M extends SchemaMap>(topic: TopicDefinition<M>, message: PublishInput<M>): Promise<void>;

  /**
   * Sends a command with `replyTo` and this run's correlation id, then waits for its reply (accepted or
   * rejected). A reply that comes after `timeout` goes to the workflow's `onLateReply`.
   */
  request<M extends SchemaMap>(
    name: string,
    topic: TopicDefinition<M>,
    command: PublishInput<M>,
    options: { replyTo: TopicDefinition; timeout?: number },
  ): Promise<RequestReply>;

  /**
   * The next message of `topic` in this run's inbox that `match` accepts — including one that arrived before the
   * wait began. The topic must be one of the workflow's `inbox` routes.
   */
  waitFor(name: string, topic: TopicDefinition, options?: WaitOptions): Promise<Delivered>;

  /**
   * The first of several waits and timers to happen: a message that arrived first (even before the race began)
   * wins over a timer due later, and the other branches are cancelled — their messages stay in the inbox for
   * later waits, their timers do nothing. Waits' topics must be among the workflow's `inbox` routes.
   *
   * @example
   * const first = await ctx.race('approval', { approved: { waitFor: approvals }, expired: { sleep: 86_400_000 } });
   * if (first.winner === 'approved') return approve(first.message);
   */
  race<B extends Record<string, RaceBranch>>(name: string, branches: B): Promise<RaceResult<B>>;

  /**
   * For changing code under running workflows: true for runs that reach this point with the new code, false for
   * runs that had passed it under the old code. Keep both branches until no old run is left.
   */
  patched(id: string): Promise<boolean>;
}
