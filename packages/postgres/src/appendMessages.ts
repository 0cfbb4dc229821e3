import type { OutgoingMessage } from '@parley/core';
import { lockPositions } from './lockPositions.ts';
import type { Queryable } from './Queryable.ts';
import type { TopicCatalog } from './TopicCatalog.ts';

/**
 * Appends messages to their topics' logs in one INSERT, in the order given, dropping those whose id is already in
 * their topic (or earlier in `messages`). First it checks every topic and partition (throwing before it writes)
 * and takes the position locks of the partitions written ({@link lockPositions}). Run it inside a transaction,
 * which must commit soon after: the locks hold other publishers of those partitions until then.
 * Returns the topics that received at least one new message.
 */
export async function appendMessages(
  db: Queryable,
  schema: { readonly name: string; readonly s: string },
  catalog: TopicCatalog,
  messages: ReadonlyArray<OutgoingMessage>,
): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const partitions = await catalog.partitionsOf(
    db,
    messages.map((message) => message.topic),
  );
  for (const message of messages) {
    const count = partitions.get(message.topic) ?? 0;
    if (!Number.isInteger(message.partition) || message.partition < 0 || message.partition >= count) {
      throw new RangeError(
        `message ${message.id}: partition ${message.partition} is outside topic "${message.topic}" (0 to ${count - 1})`,
      );
    }
  }
  await lockPositions(db, schema.name, { entities: [], partitions: messages });
  // One JSON parameter: serialised natively here, unpacked by the server, instead of nine escaped text arrays.
  // Only the distinct topics come back, not a row per message.
  const { rows } = await db.query<{ topic: string }>(
    `WITH inserted AS (
     INSERT INTO ${schema.s}.messages (topic, partition, id, type, key, payload, headers, occurred_at, occurred_ms)
     SELECT topic, partition, id, type, key, payload, headers, occurred_at, occurred_ms
     FROM ROWS FROM (json_to_recordset($1::json) AS (topic text, partition int, id text, type text, key text,
                     payload text, headers text, occurred_at text, occurred_ms int8))
       WITH ORDINALITY AS t(topic, partition, id, type, key, payload, headers, occurred_at, occurred_ms, i)
     ORDER BY i
     ON CONFLICT (topic, id) DO NOTHING
     RETURNING topic
     )
     SELECT DISTINCT topic FROM inserted`,
    [
      JSON.stringify(
        messages.map((message) => ({
          topic: message.topic,
          partition: message.partition,
          id: message.id,
          type: message.type,
          key: message.key,
          payload: message.payload,
          headers: JSON.stringify(message.headers),
          occurred_at: message.occurredAt,
          occurred_ms: occurredMs(message.occurredAt),
        })),
      ),
    ],
  );
  return new Set(rows.map((row) => row.topic));
}

/** ms since the epoch of an ISO-8601 time, or null when it does not parse (retention by age then skips it). */
function occurredMs(occurredAt: string): number | null {
  const ms = Date.parse(occurredAt);
  return Number.isFinite(ms) ? ms : null;
}
