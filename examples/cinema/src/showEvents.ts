import { defineTopic } from '@parley/core';
import { z } from 'zod';

/** The show service's public events, keyed by reservation. */
export const showEvents = defineTopic({
  name: 'show-events',
  partitions: 4,
  messages: {
    SeatReserved: z.object({
      reservationId: z.string(),
      showId: z.string(),
      seat: z.string(),
      walletId: z.string(),
      amount: z.number().int().positive(),
    }),
    ReservationConfirmed: z.object({ reservationId: z.string(), showId: z.string() }),
    ReservationCancelled: z.object({ reservationId: z.string(), showId: z.string(), reason: z.string() }),
    RefundRequested: z.object({
      reservationId: z.string(),
      walletId: z.string(),
      amount: z.number().int().positive(),
    }),
  },
});
