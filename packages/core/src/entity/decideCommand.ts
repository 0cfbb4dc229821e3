import type { MessageHeaders } from '../envelope/Envelope.ts';
import { isDomainError } from '../errors/DomainError.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import type { MessageId } from '../ids/MessageId.ts';
import type { NewEvent } from '../ports/StoredEvent.ts';
import type { AnyEntity, EntityEvent } from './defineEntity.ts';
import type { Snapshot } from './EntityCache.ts';
import { isRejection } from './reject.ts';
import { isoTime } from '../clock/isoTime.ts';
import type { SchemaMap } from '../schema/validate.ts';

export interface DecideInput {
  readonly entityId: string;
  readonly commandId: string;
  readonly now: number;
  /** Copied onto every event. */
  readonly metadata: MessageHeaders;
  /** Id of the `index`-th event of this command. */
  readonly eventId: (index: number) => MessageId;
}

export type Decided =
  | {
      readonly status: 'accepted';
      readonly events: ReadonlyArray<NewEvent>;
      readonly domainEvents: ReadonlyArray<EntityEvent<SchemaMap>>;
      readonly after: Snapshot;
    }
  | {
      readonly status: 'rejected';
      readonly rejection: { code: string; message: string; details?: Record<string, unknown> };
    };

/**
 * Runs `decide` on a validated command and folds the resulting events with `evolve`. Pure: no I/O. A
 * `DomainError` thrown by `decide` counts as a rejection; any other error propagates.
 */
export function decideCommand(
  entity: AnyEntity,
  before: Snapshot,
  command: { type: string; data: unknown },
  input: DecideInput,
): Decided {
  let decision: unknown;
  try {
    decision = entity.decide(before.state, command, {
      entityId: input.entityId,
      commandId: input.commandId,
      now: new Date(input.now),
    });
  } catch (error) {
    if (isDomainError(error)) {
      return {
        status: 'rejected',
        rejection: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      };
    }
    throw error;
  }
  if (isRejection(decision)) {
    return {
      status: 'rejected',
      rejection: {
        code: decision.code,
        message: decision.message,
        ...(decision.details === undefined ? {} : { details: decision.details }),
      },
    };
  }
  const domainEvents = (
    decision === undefined ? [] : Array.isArray(decision) ? decision : [decision]
  ) as ReadonlyArray<EntityEvent<SchemaMap>>;
  let state: unknown = before.state;
  const occurredAt = isoTime(input.now);
  const events = domainEvents.map((event, index): NewEvent => {
    if (typeof event !== 'object' || event === null || !(event.type in entity.events)) {
      throw new ParleyError(
        'UNKNOWN_EVENT',
        `entity ${entity.name}: decide returned an event of undeclared type ${JSON.stringify((event as { type?: unknown } | null)?.type)}`,
      );
    }
    state = entity.evolve(state, event);
    return {
      id: input.eventId(index),
      type: event.type,
      data: event.data,
      metadata: input.metadata,
      occurredAt,
    };
  });
  return {
    status: 'accepted',
    events,
    domainEvents,
    after: { state, version: before.version + events.length },
  };
}

/** Folds stored events onto a snapshot. */
export function foldEvents(
  entity: AnyEntity,
  from: Snapshot,
  events: ReadonlyArray<{ type: string; data: unknown; version: number }>,
): Snapshot {
  let state: unknown = from.state;
  let version = from.version;
  for (const event of events) {
    state = entity.evolve(state, event);
    version = event.version;
  }
  return { state, version };
}
