import type { EntityDefinition } from '../entity/defineEntity.ts';
import { objectSchema } from '../schema/objectSchema.ts';
import { defineTopic, type TopicDefinition } from '../topic/defineTopic.ts';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/** What every reply says about the request it answers. */
export interface ReplyBase {
  /** Id of the command message answered. */
  requestId: string;
  requestType: string;
  correlationId: string;
  commandId: string | null;
  entityId: string | null;
}

export type CommandAccepted = ReplyBase & { result: unknown };
/** A refused command; `R` is the rejection codes of the entity that refused it. */
export type CommandRejected<R extends string = string> = ReplyBase & {
  rejection: { code: R; message: string; details?: Record<string, unknown> };
};

export type ReplyMessages<R extends string = string> = {
  CommandAccepted: StandardSchemaV1<CommandAccepted, CommandAccepted>;
  CommandRejected: StandardSchemaV1<CommandRejected<R>, CommandRejected<R>>;
};

/** The rejection codes of an entity. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RejectionsOf<E> = E extends EntityDefinition<any, any, any, infer R> ? R : string;

/**
 * Declares a topic that receives outcomes of commands sent as messages. The sender puts its name in the
 * `replyTo` header; the receiving consumer publishes `CommandAccepted` or `CommandRejected` to it through the
 * outbox, keyed by the correlation id. Name the `entity` whose commands it answers and `rejection.code` is
 * typed by that entity's rejections.
 *
 * @example
 * const claimReplies = defineReplyTopic('users-claim-replies', { entity: task });
 * await users.publish(taskCommands, {
 *   type: 'ClaimTask', key: taskId, payload: { taskId, userId },
 *   headers: { replyTo: claimReplies.name, correlationId: userId },
 * });
 * // in the users service: payload.rejection.code is 'AlreadyClaimed' | 'NotFound' | …
 */
export function defineReplyTopic<
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  E extends EntityDefinition<any, any, any, any> | undefined = undefined,
>(
  name: string,
  options: {
    partitions?: number;
    /** The entity whose command outcomes come here: types the rejection codes. */
    entity?: E;
  } = {},
): TopicDefinition<ReplyMessages<RejectionsOf<E>>> {
  return defineTopic({
    name,
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    messages: {
      CommandAccepted: objectSchema<CommandAccepted>(),
      CommandRejected: objectSchema<CommandRejected<RejectionsOf<E>>>(),
    },
  });
}
