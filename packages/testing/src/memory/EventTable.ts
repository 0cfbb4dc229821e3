import {
  ConcurrencyError,
  type MessageHeaders,
  type MessageId,
  type StoredEvent,
  type StreamAppend,
} from '@parley/core';
import { checkLimit } from './checkLimit.ts';
import { firstAfter } from './firstAfter.ts';
import { toJsonText } from './toJsonText.ts';
import { Sequence, type Transaction } from './Transaction.ts';

/** An event as the table keeps it: data and metadata as JSON text. */
interface EventRow {
  readonly position: number;
  readonly entity: string;
  readonly entityId: string;
  readonly version: number;
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly occurredAt: string;
}

const positionOf = (row: EventRow): number => row.position;

/**
 * Entity streams and the store's global event log. A stream's versions run 1, 2, 3 … without gaps, so its
 * version is its length; positions grow in commit order across every entity and are never reused.
 */
export class EventTable {
  /** `[entity, entityId]` as JSON → the stream, in version order */
  private readonly streams = new Map<string, EventRow[]>();
  /** entity → its events, in position order */
  private readonly byEntity = new Map<string, EventRow[]>();
  private readonly ids = new Set<string>();
  private readonly positions = new Sequence();

  /** Throws `ConcurrencyError` when the stream is not at `expectedVersion`. */
  append(tx: Transaction, { entity, entityId, expectedVersion, events }: StreamAppend): void {
    const streamKey = JSON.stringify([entity, entityId]);
    const current = this.streams.get(streamKey)?.length ?? 0;
    if (current !== expectedVersion) {
      throw new ConcurrencyError({ kind: 'stream', entity, entityId, expectedVersion });
    }
    events.forEach((event, index) => {
      const data = toJsonText(event.data, `event ${event.id} data`);
      if (!tx.add(this.ids, event.id)) {
        throw new Error(`event ${event.id}: an event with this id is already in the store`);
      }
      const row: EventRow = {
        position: this.positions.next(tx),
        entity,
        entityId,
        version: expectedVersion + index + 1,
        id: event.id,
        type: event.type,
        data,
        metadata: JSON.stringify(event.metadata),
        occurredAt: event.occurredAt,
      };
      tx.push(
        tx.child(this.streams, streamKey, () => []),
        row,
      );
      tx.push(
        tx.child(this.byEntity, entity, () => []),
        row,
      );
    });
  }

  readStream(entity: string, entityId: string, afterVersion: number): StoredEvent[] {
    const stream = this.streams.get(JSON.stringify([entity, entityId])) ?? [];
    return stream.slice(firstAfter(stream, afterVersion, (row) => row.version)).map(toStoredEvent);
  }

  readEvents(entity: string, after: number, limit: number): StoredEvent[] {
    checkLimit(limit, 'readEvents');
    const events = this.byEntity.get(entity) ?? [];
    const start = firstAfter(events, after, positionOf);
    return events.slice(start, start + limit).map(toStoredEvent);
  }

  lastPosition(entity: string): number {
    return this.byEntity.get(entity)?.at(-1)?.position ?? 0;
  }

  countAfter(entity: string, after: number): number {
    const events = this.byEntity.get(entity) ?? [];
    return events.length - firstAfter(events, after, positionOf);
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    entity: row.entity,
    entityId: row.entityId,
    version: row.version,
    position: row.position,
    id: row.id as MessageId,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as MessageHeaders,
    occurredAt: row.occurredAt,
  };
}
