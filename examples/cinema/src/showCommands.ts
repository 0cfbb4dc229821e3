import { defineTopic } from '@parley/core';
import { z } from 'zod';

/** Requests to the show service: from customers (the demo's driver) and from the show's own timers. */
export const showCommands = defineTopic({
  name: 'show-commands',
  partitions: 4,
  messages: {
    ReserveSeat: z.object({
      showId: z.string(),
      reservationId: z.string(),
      seat: z.string(),
      walletId: z.string(),
      amount: z.number().int().positive(),
    }),
    CancelReservation: z.object({ showId: z.string(), reservationId: z.string(), reason: z.string() }),
  },
});
