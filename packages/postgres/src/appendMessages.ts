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
  const { rows } = await db.query<{ topic: string }>(
    `INSERT INTO ${schema.s}.messages (topic, partition, id, type, key, payload, headers, occurred_at, occurred_ms)
     SELECT topic, partition, id, type, key, payload, headers, occurred_at, occurred_ms
     FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                 $9::int8[])
       WITH ORDINALITY AS t(topic, partition, id, type, key, payload, headers, occurred_at, occurred_ms, i)
     ORDER BY i
     ON CONFLICT (topic, id) DO NOTHING
     RETURNING topic`,
    [
      messages.map((message) => message.topic),
      messages.map((message) => message.partition),
      messages.map((message) => message.id),
      messages.map((message) => message.type),
      messages.map((message) => message.key),
      messages.map((message) => message.payload),
      messages.map((message) => JSON.stringify(message.headers)),
      messages.map((message) => message.occurredAt),
      messages.map((message) => occurredMs(message.occurredAt)),
    ],
  );
  return new Set(rows.map((row) => row.topic));
}

/** ms since the epoch of an ISO-8601 time, or null when it does not parse (retention by age then skips it). */
function occurredMs(occurredAt: string): number | null {
  const ms = Date.parse(occurredAt);
  return Number.isFinite(ms) ? ms : null;
}
