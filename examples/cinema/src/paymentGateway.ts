import { systemClock, type Clock } from '@parley/core';
import type { CinemaConfig } from './CinemaConfig.ts';

/** Raised by the simulated gateway for poison wallets: an unexpected, non-business failure. */
export class GatewayError extends Error {
  override name = 'GatewayError';
}

/**
 * The external card gateway the wallet calls before charging, simulated: poison wallets always fail, slow
 * reservations take longer than the show's payment timeout. It is given the message id as idempotency key, as
 * a real gateway would be.
 */
export type PaymentGateway = ReturnType<typeof paymentGateway>;

export function paymentGateway(
  config: Pick<CinemaConfig, 'poisonWallets' | 'slowReservations' | 'slowChargeMs'>,
  clock: Clock = systemClock,
) {
  const poison = new Set(config.poisonWallets);
  const slow = new Set(config.slowReservations);
  return {
    /** The gateway is fixed for this wallet: its charges go through from now on. */
    recover(walletId: string): void {
      poison.delete(walletId);
    },
    async authorize(request: {
      walletId: string;
      reservationId: string;
      idempotencyKey: string;
      signal: AbortSignal;
    }): Promise<void> {
      if (poison.has(request.walletId))
        throw new GatewayError(`gateway error 502 for wallet ${request.walletId}`);
      if (slow.has(request.reservationId)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            cancel();
            request.signal.removeEventListener('abort', done);
            resolve();
          };
          const cancel = clock.after(config.slowChargeMs, done);
          request.signal.addEventListener('abort', done, { once: true });
        });
      }
    },
  };
}
