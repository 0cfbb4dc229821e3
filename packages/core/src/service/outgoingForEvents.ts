import { whenAll } from '../concurrency/whenAll.ts';
import { deriveMessageId } from '../ids/MessageId.ts';
import type { EntityPublication } from '../entity/publishTo.ts';
import type { OutgoingMessage } from '../ports/OutgoingMessage.ts';
import type { NewEvent } from '../ports/StoredEvent.ts';
import type { MessageHeaders } from '../envelope/Envelope.ts';
import { prepareOutgoing } from '../topic/prepareOutgoing.ts';
import type { PublishInput } from '../topic/defineTopic.ts';
import type { SchemaMap } from '../schema/validate.ts';

/**
 * The topic messages that an entity's new events map to. Message ids derive from event ids, so the same events
 * always produce the same messages.
 */
export async function outgoingForEvents(
  publications: ReadonlyArray<EntityPublication>,
  entityId: string,
  firstVersion: number,
  events: ReadonlyArray<NewEvent>,
  now: number,
): Promise<OutgoingMessage[]> {
  if (publications.length === 0) return [];
  const pending: Array<OutgoingMessage | Promise<OutgoingMessage>> = [];
  events.forEach((event, index) => {
    for (const publication of publications) {
      const mapped = publication.map(event, {
        entityId,
        version: firstVersion + index,
        eventId: event.id,
      });
      const inputs: ReadonlyArray<PublishInput<SchemaMap>> =
        mapped === undefined ? [] : isList(mapped) ? mapped : [mapped];
      inputs.forEach((input, n) => {
        pending.push(
          prepareOutgoing(publication.topic, input, {
            id: deriveMessageId(event.id, publication.topic.name, n),
            headers: messageHeaders(event),
            now,
          }),
        );
      });
    }
  });
  return whenAll(pending);
}

function isList<T>(value: T | ReadonlyArray<T>): value is ReadonlyArray<T> {
  return Array.isArray(value);
}

/**
 * Headers of a message published for an event: the event's trace and correlation, caused by the event. The
 * command's id stays behind: it identified that command, and a receiver must not take it for the id of a
 * command this message carries.
 */
function messageHeaders(event: NewEvent): MessageHeaders {
  const { commandId: _commandId, ...inherited } = event.metadata;
  return { ...inherited, causationId: event.id };
}
