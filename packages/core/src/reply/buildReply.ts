import type { Delivered } from '../envelope/Envelope.ts';
import { headersCausedBy } from '../envelope/headers.ts';
import type { CommandOutcome } from '../entity/CommandOutcome.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import { deriveMessageId } from '../ids/MessageId.ts';
import type { TopicSpec } from '../ports/Bus.ts';
import type { OutgoingMessage } from '../ports/OutgoingMessage.ts';
import { partitionFor } from '../topic/partitionFor.ts';
import type { CommandAccepted, CommandRejected } from './defineReplyTopic.ts';

/** What a handler replies: a command outcome, or an outcome of its own. */
export type ReplyOutcome =
  | CommandOutcome
  | { status: 'accepted'; result?: unknown; entityId?: string }
  | {
      status: 'rejected';
      rejection: { code: string; message: string; details?: Record<string, unknown> };
      entityId?: string;
    };

/**
 * The reply to `request` on its `replyTo` topic, with an id derived from the request so a redelivery replies
 * once. Keyed by the correlation id, so replies of one conversation stay in order.
 */
export function buildReply(
  request: Delivered,
  outcome: ReplyOutcome,
  topic: TopicSpec,
  scope: string,
  now: number,
): OutgoingMessage {
  const correlationId = request.headers.correlationId ?? request.id;
  const commandId = 'commandId' in outcome ? outcome.commandId : (request.headers.commandId ?? null);
  const base = {
    requestId: request.id,
    requestType: request.type,
    correlationId,
    commandId,
    entityId: outcome.entityId ?? null,
  };
  let type: string;
  let payload: CommandAccepted | CommandRejected;
  if (outcome.status === 'accepted') {
    type = 'CommandAccepted';
    payload = {
      ...base,
      result: 'version' in outcome ? { version: outcome.version } : (outcome.result ?? null),
    };
  } else if (outcome.status === 'rejected') {
    type = 'CommandRejected';
    payload = { ...base, rejection: outcome.rejection };
  } else {
    throw new ParleyError('INVALID_REPLY', `reply status must be accepted or rejected`);
  }
  return {
    topic: topic.name,
    partition: partitionFor(correlationId, topic.partitions),
    id: deriveMessageId(request.id, `${scope}/reply`, 0),
    type,
    key: correlationId,
    payload: JSON.stringify(payload),
    headers: headersCausedBy(request),
    occurredAt: new Date(now).toISOString(),
  };
}
