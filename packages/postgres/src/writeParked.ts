import { toJsonText } from '@parley/sql';
import type { ParkWrite, UnparkWrite } from '@parley/core';
import type { Queryable } from './Queryable.ts';

/**
 * Adds messages to the tails of their keys' parked queues (a message parked twice stays once), then removes the
 * unparked ones — in that order, so a message parked and unparked in one change is gone.
 */
export async function writeParked(
  db: Queryable,
  s: string,
  parks: ReadonlyArray<ParkWrite>,
  unparks: ReadonlyArray<UnparkWrite>,
): Promise<void> {
  if (parks.length > 0) {
    await db.query(
      `INSERT INTO ${s}.parked (consumer, source, key, position, partition, message)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int[], $6::text[])
       ON CONFLICT (consumer, source, key, position) DO NOTHING`,
      [
        parks.map((park) => park.consumer),
        parks.map((park) => park.message.source),
        parks.map((park) => park.message.key),
        parks.map((park) => park.message.position),
        parks.map((park) => park.message.partition),
        parks.map((park) => toJsonText(park.message, () => `parked message ${park.message.id}`)),
      ],
    );
  }
  if (unparks.length > 0) {
    await db.query(
      `DELETE FROM ${s}.parked p
       USING unnest($1::text[], $2::text[], $3::text[], $4::int8[]) AS u(consumer, source, key, position)
       WHERE p.consumer = u.consumer AND p.source = u.source AND p.key = u.key AND p.position = u.position`,
      [
        unparks.map((unpark) => unpark.consumer),
        unparks.map((unpark) => unpark.source),
        unparks.map((unpark) => unpark.key),
        unparks.map((unpark) => unpark.position),
      ],
    );
  }
}
