import { defineTopic } from '@parley/core';
import { z } from 'zod';

/**
 * The wallet service's public events, keyed by reservation. They name the reservation and the wallet, not the
 * show: the show finds its reservations through its read model.
 */
export const walletEvents = defineTopic({
  name: 'wallet-events',
  partitions: 4,
  messages: {
    WalletCharged: z.object({ reservationId: z.string(), walletId: z.string(), amount: z.number().int() }),
    WalletChargeRejected: z.object({ reservationId: z.string(), walletId: z.string(), reason: z.string() }),
    /** Charging kept failing unexpectedly: escalated from the dead-letter store. */
    WalletChargeFailed: z.object({ reservationId: z.string(), walletId: z.string(), error: z.string() }),
    WalletRefunded: z.object({ reservationId: z.string(), walletId: z.string(), amount: z.number().int() }),
  },
});
