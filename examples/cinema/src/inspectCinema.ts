import type { Service, Store } from '@parley/core';
import type { DemoPlan } from './planDemo.ts';
import { show, type Reservation } from './show.ts';
import { wallet, type WalletState } from './wallet.ts';

export interface CinemaCounts {
  reservations: number;
  confirmed: number;
  cancelledInsufficientFunds: number;
  cancelledTimeout: number;
  cancelledByCustomer: number;
  /** Dead letters recorded by the wallet service (poison charges). */
  deadLettered: number;
  /** Reservations cancelled because their charge was escalated from the dead-letter store. */
  compensated: number;
  refunded: number;
  /** Duplicate deliveries and cancellations that changed nothing. */
  duplicatesIgnored: number;
  pending: number;
}

export interface CinemaInvariants {
  moneyConserved: boolean;
  noSeatSoldTwice: boolean;
  everyFailureAccountedFor: boolean;
}

export interface CinemaInspection {
  counts: CinemaCounts;
  invariants: CinemaInvariants;
  /** True when nothing is left to happen: no pending reservation, no refund owed, no retry waiting. */
  settled: boolean;
  /** Human-readable reasons for any invariant that does not hold. */
  problems: string[];
}

/** Reads both services' stores and checks the story's invariants. */
export async function inspectCinema(
  plan: DemoPlan,
  observers: { show: Service; wallet: Service; walletStore: Store },
): Promise<CinemaInspection> {
  const problems: string[] = [];
  const reservations = new Map<string, Reservation & { showId: string }>();
  let seatsUnique = true;
  for (const showId of plan.showIds) {
    const { state } = await observers.show.load(show, showId);
    const confirmedSeats = new Set<string>();
    for (const [id, reservation] of Object.entries(state.reservations)) {
      reservations.set(id, { ...reservation, showId });
      if (reservation.status !== 'confirmed') continue;
      if (confirmedSeats.has(reservation.seat)) {
        seatsUnique = false;
        problems.push(`seat ${reservation.seat} of ${showId} sold twice`);
      }
      confirmedSeats.add(reservation.seat);
    }
  }
  const wallets = new Map<string, WalletState>();
  for (const { id } of plan.config.wallets) wallets.set(id, (await observers.wallet.load(wallet, id)).state);
  const letters = await observers.walletStore.listDeadLetters({ consumer: 'wallet-charger', limit: 100_000 });

  const counts: CinemaCounts = {
    reservations: plan.reservations.length,
    confirmed: 0,
    cancelledInsufficientFunds: 0,
    cancelledTimeout: 0,
    cancelledByCustomer: 0,
    deadLettered: letters.length,
    compensated: 0,
    refunded: 0,
    duplicatesIgnored: 0,
    pending: 0,
  };
  let money = true;
  let accounted = true;
  let refundsOwed = 0;
  const poison = new Set(plan.config.poisonWallets);
  for (const planned of plan.reservations) {
    const reservation = reservations.get(planned.reservationId);
    if (reservation === undefined) {
      counts.pending++;
      problems.push(`reservation ${planned.reservationId} has not reached its show`);
      continue;
    }
    const account = wallets.get(planned.walletId);
    const charged = account?.charges[planned.reservationId] !== undefined;
    const refunded = account?.refunded[planned.reservationId] === true;
    if (refunded) counts.refunded++;
    switch (reservation.status) {
      case 'pending':
        counts.pending++;
        break;
      case 'confirmed':
        counts.confirmed++;
        if (!charged || refunded) {
          money = false;
          problems.push(`${planned.reservationId} confirmed but charged=${charged} refunded=${refunded}`);
        }
        break;
      case 'cancelled':
        if (reservation.cancelReason === 'insufficient-funds') counts.cancelledInsufficientFunds++;
        else if (reservation.cancelReason === 'payment-timeout') counts.cancelledTimeout++;
        else if (reservation.cancelReason === 'customer') counts.cancelledByCustomer++;
        else if (reservation.cancelReason === 'payment-failed') counts.compensated++;
        if (charged && !refunded) refundsOwed++;
        break;
    }
    // A poison charge ends cancelled — by the escalation, or by the payment timeout if that came first — with its
    // failure on record in the dead-letter store, and no money moved.
    if (poison.has(planned.walletId)) {
      const recorded = letters.some(
        (l) => l.message.key === planned.reservationId && l.status === 'escalated',
      );
      if (reservation.status !== 'cancelled' || charged || !recorded) {
        accounted = false;
        problems.push(
          `poison charge ${planned.reservationId} ended ${reservation.status}, charged=${charged}, recorded=${recorded}`,
        );
      }
    }
    if (planned.duplicateCharge && charged) counts.duplicatesIgnored++;
    if (planned.customerCancelsTwice && reservation.status !== 'pending') counts.duplicatesIgnored++;
  }
  for (const letter of letters) {
    const reservation = reservations.get(letter.message.key);
    if (letter.status !== 'escalated' || reservation?.status !== 'cancelled') {
      accounted = false;
      problems.push(
        `dead letter ${letter.id} is ${letter.status}; its reservation is ${reservation?.status ?? 'unknown'}`,
      );
    }
  }
  const initial = plan.config.wallets.reduce((sum, w) => sum + w.initial, 0);
  const balances = [...wallets.values()].reduce((sum, w) => sum + w.balance, 0);
  const sold = plan.reservations.reduce(
    (sum, r) => sum + (reservations.get(r.reservationId)?.status === 'confirmed' ? r.amount : 0),
    0,
  );
  const settled = counts.pending === 0 && refundsOwed === 0 && !letters.some((l) => l.status === 'retrying');
  if (settled && initial !== balances + sold) {
    money = false;
    problems.push(`money: wallets started with ${initial}, hold ${balances}, and ${sold} went to tickets`);
  }
  if (settled && refundsOwed > 0) money = false;
  if (counts.pending > 0) accounted = false;
  return {
    counts,
    invariants: { moneyConserved: money, noSeatSoldTwice: seatsUnique, everyFailureAccountedFor: accounted },
    settled,
    problems,
  };
}
