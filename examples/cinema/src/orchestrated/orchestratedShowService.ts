import { createService, type Bus, type Clock, type Logger, type Service, type Store } from '@parley/core';
import type { CinemaConfig } from '../CinemaConfig.ts';
import { withReservationsProjection } from '../reservations.ts';
import { show } from '../show.ts';
import { showCommands } from '../showCommands.ts';
import { reservationWorkflow, type ReservationWorkflow } from './reservationWorkflow.ts';

/**
 * The show service of the orchestrated story: every `ReserveSeat` request starts the reservation's workflow run
 * (idempotently: a request delivered twice finds its run), which drives the reservation to its end. Customer
 * cancellations on the same topic go to the run's inbox, through the workflow's inbox route.
 */
export function createOrchestratedShowService(options: {
  store: Store;
  bus: Bus;
  config: Pick<CinemaConfig, 'paymentTimeoutMs'>;
  logger?: Logger;
  instanceId?: string;
  /** @default the system clock */
  clock?: Clock;
}): { service: Service; workflow: ReservationWorkflow } {
  const workflow = reservationWorkflow({
    shows: () => service,
    paymentTimeoutMs: options.config.paymentTimeoutMs,
  });
  const service: Service = createService({
    name: 'show',
    store: options.store,
    bus: options.bus,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  })
    .entity(show)
    .workflow(workflow)
    .consumer({
      name: 'show-requests',
      source: showCommands,
      handle: {
        // Committed with the request: one run per reservation, however often the request is delivered.
        ReserveSeat: ({ payload }, ctx) => ctx.startWorkflow(workflow, payload.reservationId, payload),
        // The workflow's inbox route hands cancellations to their run.
        CancelReservation: () => undefined,
      },
    });
  return { service: withReservationsProjection(service), workflow };
}
