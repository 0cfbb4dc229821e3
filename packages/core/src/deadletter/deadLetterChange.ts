import type { MessageHeaders } from '../envelope/Envelope.ts';
import { newMessageId } from '../ids/MessageId.ts';
import type { StreamAppend } from '../ports/Change.ts';
import type { DeadLetter } from '../ports/DeadLetter.ts';
import { deadLetterEvents, type DeadLetterEventBase } from './deadLetterEvents.ts';

type EventName = keyof typeof deadLetterEvents.events;

/** A new state of a dead letter and the system-stream event that records the change. */
export interface DeadLetterChange {
  readonly deadLetter: DeadLetter;
  readonly append: StreamAppend;
}

/**
 * Applies `patch` to a dead letter (or creates it from `patch` when `before` is undefined) and appends `event` to
 * its system stream, expecting the stream at the dead letter's version: a concurrent change conflicts.
 */
export function deadLetterChange(
  before: DeadLetter | undefined,
  after: Omit<DeadLetter, 'version' | 'updatedAt'>,
  event: { type: EventName; data: Record<string, unknown> },
  now: number,
  metadata: MessageHeaders = {},
): DeadLetterChange {
  const version = (before?.version ?? 0) + 1;
  const at = new Date(now).toISOString();
  const deadLetter: DeadLetter = { ...after, version, updatedAt: at };
  const base: DeadLetterEventBase = {
    deadLetterId: deadLetter.id,
    consumer: deadLetter.consumer,
    messageId: deadLetter.message.id,
    type: deadLetter.message.type,
    key: deadLetter.message.key,
    status: deadLetter.status,
  };
  return {
    deadLetter,
    append: {
      entity: deadLetterEvents.name,
      entityId: deadLetter.id,
      expectedVersion: before?.version ?? 0,
      events: [
        {
          id: newMessageId(now),
          type: event.type,
          data: { ...base, ...event.data },
          metadata: {
            correlationId: deadLetter.message.headers.correlationId ?? deadLetter.message.id,
            ...metadata,
          },
          occurredAt: at,
        },
      ],
    },
  };
}
