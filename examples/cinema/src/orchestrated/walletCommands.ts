import { defineTopic } from '@parley/core';
import { z } from 'zod';

/**
 * Commands to the wallet service, keyed by reservation: the reservation workflow asks for a charge (with
 * `replyTo`, and waits for the answer) and, when a charge must be given back, for a refund. One key, one order:
 * a refund never overtakes the charge it undoes.
 */
export const walletCommands = defineTopic({
  name: 'wallet-commands',
  partitions: 4,
  messages: {
    ChargeWallet: z.object({
      reservationId: z.string(),
      walletId: z.string(),
      amount: z.number().int().positive(),
    }),
    RefundWallet: z.object({ reservationId: z.string(), walletId: z.string() }),
  },
});
