import type { Delivered, MessageHeaders } from '../envelope/Envelope.ts';
import type { MessageId } from '../ids/MessageId.ts';
import type { SchemaInput, SchemaMap, SchemaOutput } from '../schema/validate.ts';
import type { RetentionPolicy } from '../ports/Retention.ts';

/** A named, typed, keyed, partitioned log: the public contract between services. */
export interface TopicDefinition<M extends SchemaMap = SchemaMap> {
  readonly kind: 'topic';
  readonly name: string;
  /** Fixed when the topic is first created; messages are spread over partitions by key. */
  readonly partitions: number;
  /** Message type → payload schema. */
  readonly messages: M;
  /** How long messages are kept; forever when absent. Never past a registered consumer group's progress. */
  readonly retention: RetentionPolicy | undefined;
}

/** What a caller hands to `publish` for a topic with message map `M`. */
export type PublishInput<M extends SchemaMap> = {
  [K in keyof M & string]: {
    type: K;
    key: string;
    payload: SchemaInput<M[K]>;
    headers?: MessageHeaders;
    /** Set only to make a publish idempotent by an id of your own; otherwise one is made. */
    id?: MessageId;
  };
}[keyof M & string];

/** A message of topic `M` as a consumer receives it: a union discriminated by `type`. */
export type TopicMessage<M extends SchemaMap> = {
  [K in keyof M & string]: Delivered<K, SchemaOutput<M[K]>>;
}[keyof M & string];

export interface DefineTopicOptions<M extends SchemaMap> {
  /** Letters, digits, `.`, `_` and `-`. */
  name: string;
  messages: M;
  /** @default 8 */
  partitions?: number;
  /** How long messages are kept. @default forever */
  retention?: RetentionPolicy;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Declares a topic. The types of its messages flow to publishers and consumers.
 *
 * @example
 * const showEvents = defineTopic({
 *   name: 'show-events',
 *   messages: { SeatReserved: z.object({ showId: z.string(), seat: z.string() }) },
 * });
 */
export function defineTopic<M extends SchemaMap>(options: DefineTopicOptions<M>): TopicDefinition<M> {
  assertName(options.name, 'topic');
  const partitions = options.partitions ?? 8;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 4096) {
    throw new TypeError(
      `topic ${options.name}: partitions must be an integer from 1 to 4096, got ${partitions}`,
    );
  }
  if (Object.keys(options.messages).length === 0) {
    throw new TypeError(`topic ${options.name}: declare at least one message type`);
  }
  return Object.freeze({
    kind: 'topic',
    name: options.name,
    partitions,
    messages: options.messages,
    retention: options.retention,
  });
}

/** Throws a clear error unless `name` is a valid topic, entity, consumer or read-model name. */
export function assertName(name: string, what: string): void {
  if (!NAME.test(name)) {
    throw new TypeError(
      `${what} name ${JSON.stringify(name)} is invalid: use letters, digits, '.', '_' and '-' (at most 200)`,
    );
  }
}
