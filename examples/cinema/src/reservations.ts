import { defineReadModel, type Service } from '@parley/core';
import { z } from 'zod';
import { show } from './show.ts';

/** Which show holds reservation R, and how it stands: the read model the compensation handlers use. */
export const reservations = defineReadModel({
  name: 'reservations',
  schema: z.object({
    showId: z.string(),
    seat: z.string(),
    walletId: z.string(),
    amount: z.number().int(),
    status: z.enum(['pending', 'confirmed', 'cancelled']),
    reason: z.string().nullable(),
    refundRequested: z.boolean(),
  }),
});

/** Projects the show entities' events into `reservations`, checkpointed with each write. */
export function withReservationsProjection(service: Service): Service {
  return service.consumer({
    name: 'reservations-projection',
    source: show,
    handle: async (message, ctx) => {
      const rm = ctx.readModel(reservations);
      const reservationId = message.payload.reservationId;
      if (message.type === 'SeatReserved') {
        const { seat, walletId, amount } = message.payload;
        await rm.set(reservationId, {
          showId: message.key,
          seat,
          walletId,
          amount,
          status: 'pending',
          reason: null,
          refundRequested: false,
        });
        return;
      }
      const current = await rm.get(reservationId);
      if (current === undefined)
        throw new Error(`reservation ${reservationId} not projected before ${message.type}`);
      if (message.type === 'ReservationConfirmed')
        await rm.set(reservationId, { ...current, status: 'confirmed' });
      if (message.type === 'ReservationCancelled')
        await rm.set(reservationId, { ...current, status: 'cancelled', reason: message.payload.reason });
      if (message.type === 'RefundRequested')
        await rm.set(reservationId, { ...current, refundRequested: true });
    },
  });
}
