import {
  createService,
  publishTo,
  type Bus,
  type Clock,
  type HandlerContext,
  type Logger,
  type Store,
} from '@parley/core';
import type { CinemaConfig } from './CinemaConfig.ts';
import { reservations, withReservationsProjection } from './reservations.ts';
import { show } from './show.ts';
import { showCommands } from './showCommands.ts';
import { showEvents } from './showEvents.ts';
import { walletEvents } from './walletEvents.ts';

/** The show service: reserves seats, times out unpaid reservations, confirms, cancels and asks for refunds. */
export function createShowService(options: {
  store: Store;
  bus: Bus;
  config: Pick<CinemaConfig, 'paymentTimeoutMs'>;
  logger?: Logger;
  instanceId?: string;
  /** @default the system clock */
  clock?: Clock;
}) {
  const service = createService({
    name: 'show',
    store: options.store,
    bus: options.bus,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  })
    .entity(show, {
      publish: publishTo(showEvents, (event, { entityId: showId }) => {
        switch (event.type) {
          case 'SeatReserved':
            return {
              type: 'SeatReserved',
              key: event.data.reservationId,
              payload: { ...event.data, showId },
            };
          case 'ReservationConfirmed':
            return {
              type: 'ReservationConfirmed',
              key: event.data.reservationId,
              payload: { ...event.data, showId },
            };
          case 'ReservationCancelled':
            return {
              type: 'ReservationCancelled',
              key: event.data.reservationId,
              payload: { ...event.data, showId },
            };
          case 'RefundRequested':
            return { type: 'RefundRequested', key: event.data.reservationId, payload: event.data };
        }
      }),
    })
    .consumer({
      name: 'show-commands',
      source: showCommands,
      handle: {
        ReserveSeat: async ({ payload }, ctx) => {
          const { showId, ...data } = payload;
          const outcome = await ctx.execute(show, showId, { type: 'ReserveSeat', data });
          if (outcome.status === 'accepted' && outcome.events.length > 0) {
            // The saga's timeout: a durable timer that cancels the reservation if no payment came by then.
            await ctx.schedule(
              showCommands,
              {
                type: 'CancelReservation',
                key: data.reservationId,
                payload: { showId, reservationId: data.reservationId, reason: 'payment-timeout' },
              },
              { after: options.config.paymentTimeoutMs },
            );
          }
          await ctx.reply(outcome);
        },
        CancelReservation: async ({ payload }, ctx) => {
          await ctx.execute(show, payload.showId, {
            type: 'CancelReservation',
            data: { reservationId: payload.reservationId, reason: payload.reason },
          });
        },
      },
    })
    .consumer({
      name: 'show-payments',
      source: walletEvents,
      retry: {
        immediateRetries: 3,
        immediateDelay: 20,
        initialInterval: 100,
        maxInterval: 1000,
        delayedRetries: 7,
      },
      handle: {
        WalletCharged: async ({ payload }, ctx) => {
          const { showId } = await reservationOf(ctx, payload.reservationId);
          await ctx.execute(show, showId, {
            type: 'RecordCharge',
            data: { reservationId: payload.reservationId },
          });
        },
        WalletChargeRejected: ({ payload }, ctx) => cancel(ctx, payload.reservationId, 'insufficient-funds'),
        WalletChargeFailed: ({ payload }, ctx) => cancel(ctx, payload.reservationId, 'payment-failed'),
      },
    });
  return withReservationsProjection(service);
}

/** Compensation: cancel the reservation, found through the read model. */
async function cancel(ctx: HandlerContext, reservationId: string, reason: string): Promise<void> {
  const { showId } = await reservationOf(ctx, reservationId);
  await ctx.execute(show, showId, { type: 'CancelReservation', data: { reservationId, reason } });
}

async function reservationOf(ctx: HandlerContext, reservationId: string) {
  const found = await ctx.readModel(reservations).get(reservationId);
  // The projection may lag behind the wallet's answer: a transient failure, retried until it has caught up.
  if (found === undefined) throw new Error(`reservation ${reservationId} is not in the read model yet`);
  return found;
}
