import type { OutgoingMessage } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/** Queues outgoing messages for the relay in one INSERT; `seq` follows the order given. */
export async function writeOutbox(
  db: Queryable,
  s: string,
  messages: ReadonlyArray<OutgoingMessage>,
): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `INSERT INTO ${s}.outbox (topic, partition, id, type, key, payload, headers, occurred_at)
     SELECT topic, partition, id, type, key, payload, headers, occurred_at
     FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       WITH ORDINALITY AS t(topic, partition, id, type, key, payload, headers, occurred_at, i)
     ORDER BY i`,
    [
      messages.map((message) => message.topic),
      messages.map((message) => message.partition),
      messages.map((message) => message.id),
      messages.map((message) => message.type),
      messages.map((message) => message.key),
      messages.map((message) => message.payload),
      messages.map((message) => JSON.stringify(message.headers)),
      messages.map((message) => message.occurredAt),
    ],
  );
}
