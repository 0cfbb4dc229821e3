import { defineEntity, reject } from '@parley/core';
import { z } from 'zod';

export interface WalletState {
  balance: number;
  /** Reservation → amount charged. */
  charges: Record<string, number>;
  refunded: Record<string, true>;
}

/** A customer's wallet. A reservation is charged at most once and refunded at most once. */
export const wallet = defineEntity({
  name: 'wallet',
  initialState: (): WalletState => ({ balance: 0, charges: {}, refunded: {} }),
  commands: {
    Deposit: z.object({ amount: z.number().int().positive() }),
    Charge: z.object({ reservationId: z.string(), amount: z.number().int().positive() }),
    Refund: z.object({ reservationId: z.string() }),
  },
  events: {
    WalletCredited: z.object({ amount: z.number().int() }),
    WalletCharged: z.object({ reservationId: z.string(), amount: z.number().int() }),
    WalletRefunded: z.object({ reservationId: z.string(), amount: z.number().int() }),
  },
  rejections: ['InsufficientFunds'],
  decide: (state, command) => {
    switch (command.type) {
      case 'Deposit':
        return { type: 'WalletCredited', data: command.data };
      case 'Charge': {
        if (state.charges[command.data.reservationId] !== undefined) return [];
        if (state.balance < command.data.amount) {
          return reject('InsufficientFunds', { balance: state.balance, amount: command.data.amount });
        }
        return { type: 'WalletCharged', data: command.data };
      }
      case 'Refund': {
        const charged = state.charges[command.data.reservationId];
        if (charged === undefined || state.refunded[command.data.reservationId]) return [];
        return {
          type: 'WalletRefunded',
          data: { reservationId: command.data.reservationId, amount: charged },
        };
      }
    }
  },
  evolve: (state, event): WalletState => {
    switch (event.type) {
      case 'WalletCredited':
        return { ...state, balance: state.balance + event.data.amount };
      case 'WalletCharged':
        return {
          ...state,
          balance: state.balance - event.data.amount,
          charges: { ...state.charges, [event.data.reservationId]: event.data.amount },
        };
      case 'WalletRefunded':
        return {
          ...state,
          balance: state.balance + event.data.amount,
          refunded: { ...state.refunded, [event.data.reservationId]: true },
        };
    }
  },
});
