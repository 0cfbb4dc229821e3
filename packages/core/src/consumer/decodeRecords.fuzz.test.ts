import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { INVALID_HEADERS, parseHeaderText } from '../envelope/headers.ts';
import { isValidationError } from '../errors/ValidationError.ts';
import type { Bus } from '../ports/Bus.ts';
import type { Store } from '../ports/Store.ts';
import { defineTopic } from '../topic/defineTopic.ts';
import { consumerSource } from './ConsumerSource.ts';

const orders = defineTopic({
  name: 'fuzz-orders',
  partitions: 1,
  messages: { OrderPlaced: z.object({ orderId: z.string(), amount: z.number() }) },
});
// Decoding touches neither the store nor the bus.
const source = consumerSource(orders, {} as Store, {} as Bus);

/** Anything a row written by something other than Parley might hold, field by field. */
const anything = fc.oneof(
  fc.string(),
  fc.json(),
  fc.integer(),
  fc.constant(null),
  fc.constant(undefined),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
  fc.array(fc.string()),
);
const hostileRecord = fc.record({
  id: fc.oneof(anything, fc.uuid()),
  type: fc.oneof(anything, fc.constantFrom('OrderPlaced', '__proto__', 'constructor', 'toString', 'valueOf')),
  key: fc.oneof(anything, fc.string()),
  payload: fc.oneof(
    anything,
    fc.record({ orderId: fc.string(), amount: fc.double() }).map((p) => JSON.stringify(p)),
  ),
  headers: fc.oneof(anything, fc.dictionary(fc.string(), fc.string())),
  occurredAt: fc.oneof(
    anything,
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  ),
  topic: fc.constant(orders.name),
  partition: fc.constant(0),
  position: fc.nat(),
});

async function outcome(decode: () => unknown): Promise<'valid' | 'invalid'> {
  try {
    await decode();
    return 'valid';
  } catch (error) {
    // Whatever is wrong with a record, it is a ValidationError — dead-lettered as invalid — and nothing else.
    if (!isValidationError(error)) throw error;
    return 'invalid';
  }
}

describe('decoding what is on a topic, whatever it is', () => {
  it('either delivers a message or throws a ValidationError; parking and decoding again agrees', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRecord, async (record) => {
        const key = typeof record.key === 'string' ? record.key : '';
        const sourceRecord = { position: record.position, key, record };
        const direct = await outcome(() => source.decode(0, sourceRecord as never));
        const parked = source.toParked(0, sourceRecord as never);
        expect(typeof parked.payload).toBe('string');
        expect(typeof parked.id).toBe('string');
        const again = await outcome(() => source.decodeParked(parked));
        if (direct === 'valid') expect(again).toBe('valid');
      }),
      { numRuns: 500 },
    );
  });

  it('reads header text without ever throwing, and keeps real headers exactly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), anything), (text) => {
        const headers = parseHeaderText(text);
        expect(typeof headers).toBe('object');
        for (const value of Object.values(headers)) expect(typeof value).toBe('string');
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (headers) => {
        const read = parseHeaderText(JSON.stringify(headers));
        expect(INVALID_HEADERS in read).toBe(false);
        expect(read).toEqual(headers);
      }),
    );
  });
});
