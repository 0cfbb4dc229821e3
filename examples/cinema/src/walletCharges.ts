import type { HandlerContext } from '@parley/core';
import type { PaymentGateway } from './paymentGateway.ts';
import { wallet } from './wallet.ts';

/**
 * Charges a wallet for a reservation: the card gateway first (given the message's idempotency key), then the
 * wallet entity. The command id makes the charge idempotent: a charge delivered twice never charges twice, and
 * the second delivery gets the first one's outcome.
 */
export async function chargeWallet(
  gateway: PaymentGateway,
  ctx: HandlerContext,
  charge: { reservationId: string; walletId: string; amount: number },
) {
  const { reservationId, walletId, amount } = charge;
  await gateway.authorize({
    walletId,
    reservationId,
    idempotencyKey: ctx.idempotencyKey,
    signal: ctx.signal,
  });
  return ctx.execute(
    wallet,
    walletId,
    { type: 'Charge', data: { reservationId, amount } },
    { commandId: `charge:${reservationId}` },
  );
}

/** Refunds what a reservation was charged, once: the wallet refunds only what it took. */
export async function refundWallet(
  ctx: HandlerContext,
  refund: { reservationId: string; walletId: string },
): Promise<void> {
  await ctx.execute(
    wallet,
    refund.walletId,
    { type: 'Refund', data: { reservationId: refund.reservationId } },
    { commandId: `refund:${refund.reservationId}` },
  );
}
