import type { Delivered } from '../envelope/Envelope.ts';
import type { EntityDefinition } from '../entity/defineEntity.ts';
import type { SchemaMap, SchemaOutput } from '../schema/validate.ts';
import type { TopicDefinition } from '../topic/defineTopic.ts';
import type { ErrorClassifier } from '../failure/classifyError.ts';
import { resolveRetryPolicy, type ResolvedRetryPolicy, type RetryPolicy } from '../failure/RetryPolicy.ts';
import type { HandlerContext } from './HandlerContext.ts';
import { resolveStormGuard, type ResolvedStormGuard, type StormGuardOptions } from './StormGuard.ts';

/** What a consumer reads: a topic, or the events of every stream of an entity. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConsumerSourceDefinition = TopicDefinition<any> | EntityDefinition<any, any, any, any>;

type MessagesOf<M extends SchemaMap> = { [K in keyof M & string]: Delivered<K, SchemaOutput<M[K]>> }[keyof M &
  string];

/** The messages a consumer of `S` receives, discriminated by `type`. */
export type SourceMessage<S> =
  S extends TopicDefinition<infer M>
    ? MessagesOf<M>
    : // eslint-disable-next-line @typescript-eslint/no-explicit-any
      S extends EntityDefinition<any, any, infer E, any>
      ? MessagesOf<E>
      : never;

export type Handler<Msg> = (message: Msg, context: HandlerContext) => void | Promise<void>;

/** One handler per message type; types without a handler are acknowledged and skipped. */
export type HandlerMap<Msg extends { type: string }> = {
  [K in Msg['type']]?: Handler<Extract<Msg, { type: K }>>;
};

export interface ConsumerOptions<S extends ConsumerSourceDefinition> {
  /** Stable name: the consumer group. Checkpoints are kept under it. */
  name: string;
  source: S;
  /** One function for every message, or a handler per message type. */
  handle: Handler<SourceMessage<S>> | HandlerMap<SourceMessage<S>>;
  /**
   * Keys handled at the same time. Messages of one key are always handled one at a time, in order.
   * @default 64
   */
  concurrency?: number;
  /**
   * Messages read per partition per fetch.
   * @default 256
   */
  batchSize?: number;
  /**
   * Messages fetched but not yet committed, at most; fetching pauses above it.
   * @default 4096
   */
  maxInFlight?: number;
  /**
   * Bytes of payload (the length of each payload's JSON text) fetched but not yet committed, at most: each read
   * stops at what is left of it, and fetching pauses once it is used up. A read always brings at least one
   * message, so a message larger than what is left — or than the whole budget — still comes, and the bound is
   * this plus one message. A drain of a parked key reads its queue within it too. An entity's event stream is
   * bounded by `maxInFlight` only.
   * @default 67108864 (64 MiB)
   */
  readAheadBytes?: number;
  /** How failing messages are retried, and what happens when retries run out. */
  retry?: RetryPolicy;
  /** Retry policies for particular message types, each merged over `retry`. */
  retryByType?: Partial<Record<SourceMessage<S>['type'], RetryPolicy>>;
  /** Rules that classify errors as domain, transient or invalid (before the built-in rules). */
  classify?: ReadonlyArray<ErrorClassifier>;
  /**
   * For the `escalate` policy: turns an exhausted message into domain effects (commands, publishes), committed
   * like any handler's. Required when any policy escalates. It gets the message as the source types it (a
   * message that cannot be decoded is not escalated: it parks, for an operator to edit) and the failure's facts.
   *
   * @example
   * onExhausted: ({ key, payload }, { attempts, error }, ctx) =>
   *   ctx.publish(walletEvents, { type: 'WalletChargeFailed', key, payload: { walletId: payload.walletId, error: error.message } }),
   */
  onExhausted?: FailureHandler<SourceMessage<S>>;
  /**
   * Called when the handler throws a domain error (and the message has no `replyTo`, which gets a rejected
   * reply instead), with the message as the source types it and the failure's facts. Without it the failure is
   * recorded as a skipped dead letter.
   */
  onDomainError?: FailureHandler<SourceMessage<S>>;
  /**
   * Pauses the consumer when the share of newly parked keys spikes, e.g. after a bad deploy. `false` turns it off.
   * @default { windowMs: 60000, threshold: 0.5, minParked: 20 }
   */
  stormGuard?: StormGuardOptions | false;
}

/** What `onExhausted` and `onDomainError` learn about a failure besides the message. */
export interface FailureFacts {
  /** Handler attempts in this retry cycle, the last one included (0 when the message was never handled). */
  readonly attempts: number;
  /** When the message first failed in this cycle, ISO-8601. */
  readonly firstFailedAt: string;
  /** The last error. */
  readonly error: Error;
}

/** `onExhausted` and `onDomainError`: turn a failure into domain effects, committed like a handler's. */
export type FailureHandler<Msg> = (
  message: Msg,
  failure: FailureFacts,
  context: HandlerContext,
) => void | Promise<void>;

/** `onExhausted` of a consumer of `S` (by default: of any source). */
export type ExhaustedHandler<S extends ConsumerSourceDefinition = ConsumerSourceDefinition> = FailureHandler<
  SourceMessage<S>
>;

/** A consumer as the runtime sees it, types erased. */
export interface ConsumerDefinition {
  readonly name: string;
  readonly source: ConsumerSourceDefinition;
  readonly handle: Handler<Delivered> | Record<string, Handler<Delivered> | undefined>;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly maxInFlight: number;
  readonly readAheadBytes: number;
  readonly retry: ResolvedRetryPolicy;
  readonly retryByType: Readonly<Record<string, ResolvedRetryPolicy>>;
  readonly classify: ReadonlyArray<ErrorClassifier>;
  readonly onExhausted: FailureHandler<Delivered> | undefined;
  readonly onDomainError: FailureHandler<Delivered> | undefined;
  readonly stormGuard: ResolvedStormGuard | undefined;
}

/** `readAheadBytes` when not given: 64 MiB. */
export const DEFAULT_READ_AHEAD_BYTES = 64 * 1024 * 1024;

/** Checks the options and fills in defaults. */
export function normaliseConsumer<S extends ConsumerSourceDefinition>(
  options: ConsumerOptions<S>,
): ConsumerDefinition {
  const positive = (value: number | undefined, fallback: number, what: string): number => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 1)
      throw new TypeError(`consumer ${options.name}: ${what} must be a positive integer, got ${v}`);
    return v;
  };
  const concurrency = positive(options.concurrency, 64, 'concurrency');
  const batchSize = positive(options.batchSize, 256, 'batchSize');
  const maxInFlight = positive(options.maxInFlight, 4096, 'maxInFlight');
  const readAheadBytes = positive(options.readAheadBytes, DEFAULT_READ_AHEAD_BYTES, 'readAheadBytes');
  const where = `consumer ${options.name}`;
  const retry = resolveRetryPolicy(options.retry, `${where}: retry`);
  const retryByType: Record<string, ResolvedRetryPolicy> = {};
  for (const [type, policy] of Object.entries(options.retryByType ?? {}) as Array<[string, RetryPolicy]>) {
    retryByType[type] = resolveRetryPolicy({ ...options.retry, ...policy }, `${where}: retryByType.${type}`);
  }
  const escalates = [retry, ...Object.values(retryByType)].some((p) => p.onExhausted === 'escalate');
  if (escalates && options.onExhausted === undefined) {
    throw new TypeError(`${where}: the 'escalate' policy needs an onExhausted handler`);
  }
  return {
    name: options.name,
    source: options.source,
    handle: options.handle as ConsumerDefinition['handle'],
    concurrency,
    batchSize,
    maxInFlight: Math.max(maxInFlight, batchSize),
    readAheadBytes,
    retry,
    retryByType,
    classify: options.classify ?? [],
    onExhausted: options.onExhausted as FailureHandler<Delivered> | undefined,
    onDomainError: options.onDomainError as FailureHandler<Delivered> | undefined,
    stormGuard: options.stormGuard === false ? undefined : resolveStormGuard(options.stormGuard, where),
  };
}
