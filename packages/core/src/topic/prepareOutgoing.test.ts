import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newMessageId } from '../ids/MessageId.ts';
import { defineTopic } from './defineTopic.ts';
import { prepareOutgoing } from './prepareOutgoing.ts';

const orders = defineTopic({
  name: 'orders',
  partitions: 4,
  messages: { OrderPlaced: z.object({ amount: z.number() }) },
});
const defaults = () => {
  const id = newMessageId();
  return { id, headers: { correlationId: id }, now: Date.UTC(2026, 0, 1) };
};

describe('prepareOutgoing', () => {
  it('prepares a message at once when its schema is synchronous', () => {
    const prepared = prepareOutgoing(
      orders,
      { type: 'OrderPlaced', key: 'o1', payload: { amount: 5 } },
      defaults(),
    );
    expect(prepared).not.toBeInstanceOf(Promise);
    expect(prepared).toMatchObject({
      topic: 'orders',
      type: 'OrderPlaced',
      key: 'o1',
      payload: '{"amount":5}',
      occurredAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it.each([
    ['an unknown type', { type: 'Nope', key: 'o1', payload: {} }, /no message type "Nope"/],
    ['an empty key', { type: 'OrderPlaced', key: '', payload: { amount: 1 } }, /non-empty string key/],
    [
      'an invalid payload',
      { type: 'OrderPlaced', key: 'o1', payload: { amount: 'x' } },
      /invalid orders message/,
    ],
  ])('refuses %s with a rejected promise, never a throw', async (_what, input, message) => {
    let prepared: unknown;
    expect(() => {
      prepared = prepareOutgoing(orders, input as never, defaults());
    }).not.toThrow();
    await expect(prepared).rejects.toThrow(message);
  });
});
