import type { Service } from '@parley/core';
import type { DemoPlan } from './planDemo.ts';
import { showCommands } from './showCommands.ts';
import { showEvents } from './showEvents.ts';

/** Customers at work: reservations, duplicate deliveries of some, and customers who cancel twice. */
export async function sendReservations(driver: Service, batch: DemoPlan['reservations']): Promise<void> {
  await driver.publish(
    showCommands,
    batch.map(({ reservationId, showId, seat, walletId, amount }) => ({
      type: 'ReserveSeat' as const,
      key: reservationId,
      payload: { showId, reservationId, seat, walletId, amount },
    })),
  );
  const duplicates = batch.filter((r) => r.duplicateCharge);
  if (duplicates.length > 0) {
    // A faulty upstream delivering SeatReserved a second time, under a new message id.
    await driver.publish(
      showEvents,
      duplicates.map(({ reservationId, showId, seat, walletId, amount }) => ({
        type: 'SeatReserved' as const,
        key: reservationId,
        payload: { reservationId, showId, seat, walletId, amount },
      })),
    );
  }
  await sendCancellations(driver, batch);
}

/** The customers of `batch` who cancel: each sends its cancellation twice. */
export async function sendCancellations(driver: Service, batch: DemoPlan['reservations']): Promise<void> {
  const cancels = batch.filter((r) => r.customerCancelsTwice);
  for (let twice = 0; twice < 2 && cancels.length > 0; twice++) {
    await driver.publish(
      showCommands,
      cancels.map(({ reservationId, showId }) => ({
        type: 'CancelReservation' as const,
        key: reservationId,
        payload: { showId, reservationId, reason: 'customer' },
      })),
    );
  }
}
