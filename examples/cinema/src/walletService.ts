import { createService, publishTo, type Bus, type Clock, type Logger, type Store } from '@parley/core';
import type { CinemaConfig } from './CinemaConfig.ts';
import { paymentGateway, type PaymentGateway } from './paymentGateway.ts';
import { showEvents } from './showEvents.ts';
import { wallet } from './wallet.ts';
import { chargeWallet, refundWallet } from './walletCharges.ts';
import { walletEvents } from './walletEvents.ts';

/**
 * The wallet service: charges reserved seats and refunds on request. A charge that keeps failing unexpectedly is
 * retried, dead-lettered and escalated into `WalletChargeFailed`, which makes the show cancel the reservation.
 */
export function createWalletService(options: {
  store: Store;
  bus: Bus;
  config: CinemaConfig;
  logger?: Logger;
  /** Stable name of this instance, so a restart takes its partitions back at once. */
  instanceId?: string;
  /** @default the simulated gateway for `config` */
  gateway?: PaymentGateway;
  /** @default the system clock */
  clock?: Clock;
}) {
  const gateway = options.gateway ?? paymentGateway(options.config, options.clock);
  return createService({
    name: 'wallet',
    store: options.store,
    bus: options.bus,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  })
    .entity(wallet, {
      publish: publishTo(walletEvents, (event, { entityId: walletId }) =>
        event.type === 'WalletCredited'
          ? undefined
          : { type: event.type, key: event.data.reservationId, payload: { ...event.data, walletId } },
      ),
    })
    .consumer({
      name: 'wallet-charger',
      source: showEvents,
      concurrency: 128,
      retry: { ...options.config.retry, onExhausted: 'escalate' },
      // A refund that keeps failing has nothing to compensate it: it parks for an operator.
      retryByType: { RefundRequested: { onExhausted: 'park' } },
      onExhausted: async (message, { error }, ctx) => {
        if (message.type !== 'SeatReserved') throw new Error(`${message.type} does not escalate`);
        const { reservationId, walletId } = message.payload;
        await ctx.publish(walletEvents, {
          type: 'WalletChargeFailed',
          key: reservationId,
          payload: { reservationId, walletId, error: error.message },
        });
      },
      handle: {
        SeatReserved: async ({ payload }, ctx) => {
          const outcome = await chargeWallet(gateway, ctx, payload);
          if (outcome.status === 'rejected') {
            const { reservationId, walletId } = payload;
            await ctx.publish(walletEvents, {
              type: 'WalletChargeRejected',
              key: reservationId,
              payload: { reservationId, walletId, reason: outcome.rejection.code },
            });
          }
        },
        RefundRequested: ({ payload }, ctx) => refundWallet(ctx, payload),
      },
    });
}

/** Opens the configured wallets with their initial deposits; idempotent, so every start may call it. */
export async function openWallets(
  service: ReturnType<typeof createWalletService>,
  config: CinemaConfig,
): Promise<void> {
  for (const { id, initial } of config.wallets) {
    await service.execute(
      wallet,
      id,
      { type: 'Deposit', data: { amount: initial } },
      { commandId: `open:${id}` },
    );
  }
}
