import { defineEntity, reject } from '@parley/core';
import { z } from 'zod';

export type ReservationStatus = 'pending' | 'confirmed' | 'cancelled';

export interface Reservation {
  seat: string;
  walletId: string;
  amount: number;
  status: ReservationStatus;
  cancelReason?: string;
  refundRequested: boolean;
}

export interface ShowState {
  /** Seat → reservation holding it (pending or confirmed). */
  seats: Record<string, string>;
  reservations: Record<string, Reservation>;
}

/**
 * A show: its seats and reservations. A seat is held by at most one live reservation, so no seat is sold twice.
 * Cancelling twice changes nothing; a charge that arrives after a cancellation asks for a refund, once.
 */
export const show = defineEntity({
  name: 'show',
  initialState: (): ShowState => ({ seats: {}, reservations: {} }),
  commands: {
    ReserveSeat: z.object({
      reservationId: z.string(),
      seat: z.string(),
      walletId: z.string(),
      amount: z.number().int().positive(),
    }),
    CancelReservation: z.object({ reservationId: z.string(), reason: z.string() }),
    /** The wallet charged for the reservation: confirm it, or, if it was cancelled meanwhile, ask for a refund. */
    RecordCharge: z.object({ reservationId: z.string() }),
  },
  events: {
    SeatReserved: z.object({
      reservationId: z.string(),
      seat: z.string(),
      walletId: z.string(),
      amount: z.number().int(),
    }),
    ReservationConfirmed: z.object({ reservationId: z.string() }),
    ReservationCancelled: z.object({ reservationId: z.string(), reason: z.string() }),
    RefundRequested: z.object({ reservationId: z.string(), walletId: z.string(), amount: z.number().int() }),
  },
  rejections: ['SeatTaken', 'UnknownReservation'],
  decide: (state, command) => {
    switch (command.type) {
      case 'ReserveSeat': {
        const { reservationId, seat } = command.data;
        if (state.reservations[reservationId] !== undefined) return []; // a repeated request
        const holder = state.seats[seat];
        if (holder !== undefined) return reject('SeatTaken', { seat, heldBy: holder });
        return { type: 'SeatReserved', data: command.data };
      }
      case 'CancelReservation': {
        const reservation = state.reservations[command.data.reservationId];
        if (reservation === undefined)
          return reject('UnknownReservation', { reservationId: command.data.reservationId });
        if (reservation.status !== 'pending') return []; // already cancelled or confirmed: nothing to do
        return { type: 'ReservationCancelled', data: command.data };
      }
      case 'RecordCharge': {
        const reservation = state.reservations[command.data.reservationId];
        if (reservation === undefined)
          return reject('UnknownReservation', { reservationId: command.data.reservationId });
        if (reservation.status === 'pending') return { type: 'ReservationConfirmed', data: command.data };
        if (reservation.status === 'cancelled' && !reservation.refundRequested) {
          return {
            type: 'RefundRequested',
            data: {
              reservationId: command.data.reservationId,
              walletId: reservation.walletId,
              amount: reservation.amount,
            },
          };
        }
        return [];
      }
    }
  },
  evolve: (state, event): ShowState => {
    switch (event.type) {
      case 'SeatReserved': {
        const { reservationId, seat, walletId, amount } = event.data;
        return {
          seats: { ...state.seats, [seat]: reservationId },
          reservations: {
            ...state.reservations,
            [reservationId]: { seat, walletId, amount, status: 'pending', refundRequested: false },
          },
        };
      }
      case 'ReservationConfirmed':
        return update(state, event.data.reservationId, (r) => ({ ...r, status: 'confirmed' }));
      case 'ReservationCancelled': {
        const next = update(state, event.data.reservationId, (r) => ({
          ...r,
          status: 'cancelled',
          cancelReason: event.data.reason,
        }));
        const seat = state.reservations[event.data.reservationId]?.seat;
        if (seat === undefined) return next;
        const { [seat]: _freed, ...seats } = next.seats;
        return { ...next, seats };
      }
      case 'RefundRequested':
        return update(state, event.data.reservationId, (r) => ({ ...r, refundRequested: true }));
    }
  },
});

function update(state: ShowState, reservationId: string, change: (r: Reservation) => Reservation): ShowState {
  const reservation = state.reservations[reservationId];
  if (reservation === undefined) return state;
  return { ...state, reservations: { ...state.reservations, [reservationId]: change(reservation) } };
}
