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
export type CommandRejected = ReplyBase & {
  rejection: { code: string; message: string; details?: Record<string, unknown> };
};

export type ReplyMessages = {
  CommandAccepted: StandardSchemaV1<CommandAccepted, CommandAccepted>;
  CommandRejected: StandardSchemaV1<CommandRejected, CommandRejected>;
};

/**
 * Declares a topic that receives outcomes of commands sent as messages. The sender puts its name in the
 * `replyTo` header; the receiving consumer publishes `CommandAccepted` or `CommandRejected` to it through the
 * outbox, keyed by the correlation id.
 *
 * @example
 * const claimReplies = defineReplyTopic('users-claim-replies');
 * await users.publish(taskCommands, {
 *   type: 'ClaimTask', key: taskId, payload: { taskId, userId },
 *   headers: { replyTo: claimReplies.name, correlationId: userId },
 * });
 */
export function defineReplyTopic(
  name: string,
  options: { partitions?: number } = {},
): TopicDefinition<ReplyMessages> {
  return defineTopic({
    name,
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    messages: {
      CommandAccepted: objectSchema<CommandAccepted>(),
      CommandRejected: objectSchema<CommandRejected>(),
    },
  });
}
