import type { MessageHeaders, MessageId, StoredEvent } from '@parley/core';

/** The columns of an `events` row, in the order every SQL store selects them. */
export const EVENT_COLUMNS = 'position, entity, entity_id, version, id, type, data, metadata, occurred_at';

/** An `events` row as every SQL store keeps it: `data` and `metadata` as JSON text. */
export interface EventRow {
  position: number;
  entity: string;
  entity_id: string;
  version: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
  occurred_at: string;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    entity: row.entity,
    entityId: row.entity_id,
    version: row.version,
    position: row.position,
    id: row.id as MessageId,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as MessageHeaders,
    occurredAt: row.occurred_at,
  };
}
