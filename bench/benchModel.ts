import { defineEntity, defineTopic } from '@parley/core';
import { z } from 'zod';

/** The topic every Parley scenario publishes to. */
export const benchOrders = defineTopic({
  name: 'bench-orders',
  partitions: 8,
  messages: {
    OrderPlaced: z.object({
      orderId: z.string(),
      customerId: z.string(),
      amount: z.number(),
      currency: z.string(),
      items: z.array(z.string()),
      note: z.string(),
      sentAt: z.number(),
    }),
  },
});

/** One event per handled message: the "handler commits an entity event" of the end-to-end scenario. */
export const benchAccount = defineEntity({
  name: 'bench-account',
  initialState: () => ({ orders: 0 }),
  commands: { Record: z.object({ orderId: z.string(), amount: z.number() }) },
  events: { Recorded: z.object({ orderId: z.string(), amount: z.number() }) },
  decide: (_state, command) => ({ type: 'Recorded', data: command.data }),
  evolve: (state) => ({ orders: state.orders + 1 }),
});

/** The command the end-to-end handler executes for an order it consumes. */
export function recordOrder(order: { orderId: string; amount: number }) {
  return { type: 'Record' as const, data: { orderId: order.orderId, amount: order.amount } };
}
