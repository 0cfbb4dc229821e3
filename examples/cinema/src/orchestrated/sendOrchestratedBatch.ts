import type { Service } from '@parley/core';
import type { DemoPlan } from '../planDemo.ts';
import { sendCancellations } from '../sendReservations.ts';
import { showCommands } from '../showCommands.ts';
import { RESERVATION_WORKFLOW } from './reservationWorkflow.ts';
import { walletCommands } from './walletCommands.ts';
import { walletReplies } from './walletReplies.ts';

/**
 * Customers at work, for the orchestrated story: reservations, duplicate deliveries of some (the request
 * delivered twice, and the wallet's charge delivered a second time under a new message id, as a faulty upstream
 * would), and customers who cancel twice.
 */
export async function sendOrchestratedBatch(driver: Service, batch: DemoPlan['reservations']): Promise<void> {
  const requests = batch.map(({ reservationId, showId, seat, walletId, amount }) => ({
    type: 'ReserveSeat' as const,
    key: reservationId,
    payload: { showId, reservationId, seat, walletId, amount },
  }));
  await driver.publish(showCommands, requests);
  const duplicates = batch.filter((r) => r.duplicateCharge);
  if (duplicates.length > 0) {
    await driver.publish(
      showCommands,
      requests.filter((r) => duplicates.some((d) => d.reservationId === r.key)),
    );
    // The run's charge once more, answered to the run like the first: the wallet must not charge twice, and
    // the run must not mistake the answer to someone else's request for its own.
    await driver.publish(
      walletCommands,
      duplicates.map(({ reservationId, walletId, amount }) => ({
        type: 'ChargeWallet' as const,
        key: reservationId,
        payload: { reservationId, walletId, amount },
        headers: {
          replyTo: walletReplies.name,
          correlationId: `${RESERVATION_WORKFLOW}/${reservationId}`,
        },
      })),
    );
  }
  await sendCancellations(driver, batch);
}
