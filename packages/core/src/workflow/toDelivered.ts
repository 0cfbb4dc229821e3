import type { Delivered } from '../envelope/Envelope.ts';
import type { InboxMessage } from './Journal.ts';

/** A message of a run's inbox as the workflow sees it, like a consumer's delivery. */
export function toDelivered(message: InboxMessage): Delivered {
  return {
    id: message.id as Delivered['id'],
    type: message.type,
    key: message.key,
    payload: message.payload,
    headers: message.headers,
    occurredAt: message.occurredAt,
    source: message.source,
    partition: 0,
    position: 0,
  };
}
