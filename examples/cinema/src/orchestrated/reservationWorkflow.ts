import {
  defineWorkflow,
  DomainError,
  isParleyError,
  type Delivered,
  type RequestReply,
  type Service,
  type WorkflowContext,
  type WorkflowDefinition,
} from '@parley/core';
import { z } from 'zod';
import { show } from '../show.ts';
import { showCommands } from '../showCommands.ts';
import { walletCommands } from './walletCommands.ts';
import { PAYMENT_FAILED, walletReplies } from './walletReplies.ts';

export const reservationInput = z.object({
  showId: z.string(),
  reservationId: z.string(),
  seat: z.string(),
  walletId: z.string(),
  amount: z.number().int().positive(),
});
export type ReservationInput = z.infer<typeof reservationInput>;

const reservationOutput = z.object({ status: z.literal('confirmed') });
export type ReservationOutput = z.infer<typeof reservationOutput>;

export type ReservationWorkflow = WorkflowDefinition<ReservationInput, ReservationOutput>;

/** The name of the workflow: its runs' correlation ids are `reservation/<reservation id>`. */
export const RESERVATION_WORKFLOW = 'reservation';

/**
 * One run per reservation (run id = reservation id), in the show service: hold the seat, ask the wallet for the
 * charge and wait for its answer at most `paymentTimeoutMs`, then confirm. Every way of ending without a ticket —
 * the wallet refuses (insufficient funds), the charge cannot be made (poison wallet, escalated), no answer in
 * time, the customer cancelled — fails the run, and its compensation releases the seat with that reason. A charge
 * taken after all (the customer cancelled meanwhile, or the answer came after the timeout) is refunded once.
 *
 * Customer cancellations reach the run through its inbox (an inbox route on `show-commands`). The engine has no
 * race between a reply and an inbox message, so the run looks at its inbox once the payment is decided: the
 * cancellation takes effect when the charge is answered or times out, whichever comes first.
 */
export function reservationWorkflow(options: {
  /** The show service the steps execute on (the service this workflow is registered with). */
  shows: () => Pick<Service, 'execute' | 'publish' | 'load'>;
  paymentTimeoutMs: number;
}): ReservationWorkflow {
  const execute: Pick<Service, 'execute'>['execute'] = (...args) => options.shows().execute(...args);
  return defineWorkflow({
    name: RESERVATION_WORKFLOW,
    input: reservationInput,
    output: reservationOutput,
    inbox: [
      {
        topic: showCommands,
        runId: (message) =>
          message.type === 'CancelReservation'
            ? (message.payload as { reservationId: string }).reservationId
            : undefined,
      },
    ],
    replies: [walletReplies],
    run: async (ctx, input) => {
      // What the compensation must undo, as the run knows it: why the seat goes back, and whether a charge was
      // taken that nothing else will give back. Every failure below says why before it throws; a run stopped
      // from outside (handle.cancel, `parley workflows cancel`) keeps `operator`. Replays set these the same
      // way, so a compensation resumed by a later activation sees the same values.
      const release = { reason: 'operator', charged: false };
      await ctx.step(
        'hold-seat',
        async (info) => {
          const { showId, ...data } = input;
          const outcome = await execute(
            show,
            showId,
            { type: 'ReserveSeat', data },
            { commandId: info.idempotencyKey },
          );
          // A domain error is not retried: the run fails without anything to undo.
          if (outcome.status === 'rejected')
            throw new DomainError(outcome.rejection.code, outcome.rejection.message);
          return { seat: input.seat };
        },
        {
          compensate: async (_held, info) => {
            await execute(
              show,
              input.showId,
              {
                type: 'CancelReservation',
                data: { reservationId: input.reservationId, reason: release.reason },
              },
              { commandId: info.idempotencyKey },
            );
            // Stopped from outside after the charge was taken: give it back. (Stopped while the charge was under
            // way, its answer reaches the ended run as a late reply: onLateReply refunds it.) The refund is keyed
            // like the charge, so the wallet handles it after the charge, and refunds only what it took, once.
            if (release.charged) await options.shows().publish(walletCommands, refund(input));
          },
        },
      );

      let reply: RequestReply | undefined;
      try {
        reply = await ctx.request(
          'charge',
          walletCommands,
          {
            type: 'ChargeWallet',
            key: input.reservationId,
            payload: { reservationId: input.reservationId, walletId: input.walletId, amount: input.amount },
          },
          { replyTo: walletReplies, timeout: options.paymentTimeoutMs },
        );
        release.charged = reply.status === 'accepted';
      } catch (error) {
        // No answer in time: the answer, if it still comes, goes to onLateReply.
        if (!isParleyError(error) || error.code !== 'WORKFLOW_TIMEOUT') throw error;
      }

      const cancellation = await customerCancellation(ctx);
      if (cancellation !== undefined) {
        release.reason = cancellation.reason;
        if (reply?.status === 'accepted') await ctx.publish(walletCommands, refund(input));
        release.charged = false;
        throw new DomainError('CancelledByCustomer', `the customer cancelled ${input.reservationId}`);
      }
      if (reply === undefined) {
        release.reason = 'payment-timeout';
        throw new DomainError('PaymentTimeout', `no payment for ${input.reservationId} in time`);
      }
      if (reply.status === 'rejected') {
        release.reason = reply.rejection.code === PAYMENT_FAILED ? 'payment-failed' : 'insufficient-funds';
        throw new DomainError(reply.rejection.code, reply.rejection.message);
      }

      await ctx.step('confirm', async (info) => {
        await execute(
          show,
          input.showId,
          { type: 'RecordCharge', data: { reservationId: input.reservationId } },
          { commandId: info.idempotencyKey },
        );
      });
      return { status: 'confirmed' as const };
    },
    // The charge went through after the run had given up on it — it timed out, or the run was stopped while it
    // waited — and the seat is released: give the money back. Journaled like the run, so each late charge is
    // refunded once; the wallet's command id makes sure too.
    onLateReply: async (ctx, late, input) => {
      if (late.message.type !== 'CommandAccepted') return; // a late refusal: nothing was taken
      await ctx.publish(walletCommands, refund(input));
    },
  });
}

/** The customer's cancellation, if one has reached the run's inbox: a wait that gives up at once. */
async function customerCancellation(ctx: WorkflowContext): Promise<{ reason: string } | undefined> {
  let message: Delivered;
  try {
    message = await ctx.waitFor('customer-cancellation', showCommands, {
      match: (m) => m.type === 'CancelReservation',
      timeout: 0,
    });
  } catch (error) {
    if (isParleyError(error) && error.code === 'WORKFLOW_TIMEOUT') return undefined;
    throw error;
  }
  return { reason: (message.payload as { reason: string }).reason };
}

function refund(input: ReservationInput) {
  return {
    type: 'RefundWallet' as const,
    key: input.reservationId,
    payload: { reservationId: input.reservationId, walletId: input.walletId },
  };
}
