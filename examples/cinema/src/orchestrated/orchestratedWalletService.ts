import { createService, type Bus, type Clock, type Logger, type Service, type Store } from '@parley/core';
import type { CinemaConfig } from '../CinemaConfig.ts';
import { paymentGateway, type PaymentGateway } from '../paymentGateway.ts';
import { wallet } from '../wallet.ts';
import { chargeWallet, refundWallet } from '../walletCharges.ts';
import { walletCommands } from './walletCommands.ts';
import { PAYMENT_FAILED } from './walletReplies.ts';

/**
 * The wallet service of the orchestrated story: it does what it is told on `wallet-commands` and answers each
 * charge on the command's `replyTo`. A charge that keeps failing unexpectedly is retried, dead-lettered and
 * escalated into a `PaymentFailed` rejection, so the waiting reservation hears of it at once.
 */
export function createOrchestratedWalletService(options: {
  store: Store;
  bus: Bus;
  config: CinemaConfig;
  logger?: Logger;
  /** Stable name of this instance, so a restart takes its partitions back at once. */
  instanceId?: string;
  /** @default the system clock */
  clock?: Clock;
  /** @default the simulated gateway for `config` */
  gateway?: PaymentGateway;
}): Service {
  const gateway = options.gateway ?? paymentGateway(options.config, options.clock);
  return createService({
    name: 'wallet',
    store: options.store,
    bus: options.bus,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  })
    .entity(wallet)
    .consumer({
      // The same consumer name as the choreographed wallet's, so operators (and inspectCinema) find its dead
      // letters in the same place.
      name: 'wallet-charger',
      source: walletCommands,
      concurrency: 128,
      retry: { ...options.config.retry, onExhausted: 'escalate' },
      // A refund that keeps failing has nothing to compensate it: it parks for an operator.
      retryByType: { RefundWallet: { onExhausted: 'park' } },
      onExhausted: async (message, { error }, ctx) => {
        if (message.type !== 'ChargeWallet') throw new Error(`${message.type} does not escalate`);
        await ctx.reply({
          status: 'rejected',
          rejection: { code: PAYMENT_FAILED, message: error.message },
          entityId: message.payload.walletId,
        });
      },
      handle: {
        ChargeWallet: async ({ payload }, ctx) => {
          await ctx.reply(await chargeWallet(gateway, ctx, payload));
        },
        RefundWallet: ({ payload }, ctx) => refundWallet(ctx, payload),
      },
    });
}
