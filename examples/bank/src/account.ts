import { defineEntity, reject } from '@parley/core';
import { z } from 'zod';

/** A bank account: deposits and withdrawals; a withdrawal above the balance is rejected. */
export const account = defineEntity({
  name: 'account',
  initialState: () => ({ balance: 0 }),
  commands: {
    Deposit: z.object({ amount: z.number().int().positive() }),
    Withdraw: z.object({ amount: z.number().int().positive() }),
  },
  events: {
    Deposited: z.object({ amount: z.number().int() }),
    Withdrawn: z.object({ amount: z.number().int() }),
  },
  rejections: ['InsufficientFunds'],
  decide: (state, command) => {
    switch (command.type) {
      case 'Deposit':
        return { type: 'Deposited', data: { amount: command.data.amount } };
      case 'Withdraw':
        if (command.data.amount > state.balance)
          return reject('InsufficientFunds', { balance: state.balance });
        return { type: 'Withdrawn', data: { amount: command.data.amount } };
    }
  },
  evolve: (state, event) => ({
    balance:
      event.type === 'Deposited' ? state.balance + event.data.amount : state.balance - event.data.amount,
  }),
});
