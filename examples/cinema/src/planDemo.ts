import type { CinemaConfig } from './CinemaConfig.ts';
import { seededRandom } from './random.ts';

export interface FaultRates {
  /** Share of wallets that start with less than a ticket costs. */
  insufficientFunds: number;
  /** Share of wallets whose gateway always fails (poison messages). */
  poisonWallets: number;
  /** Share of reservations whose charge outlasts the payment timeout, then succeeds (late success → refund). */
  timeouts: number;
  /** Share of reservations delivered twice to the wallet, and of customer cancellations sent twice. */
  duplicates: number;
}

export interface PlannedReservation {
  reservationId: string;
  showId: string;
  seat: string;
  walletId: string;
  amount: number;
  /** Publish a second SeatReserved for it (a duplicate delivery). */
  duplicateCharge: boolean;
  /** The customer cancels it, twice. */
  customerCancelsTwice: boolean;
}

export interface DemoPlan {
  config: CinemaConfig;
  reservations: PlannedReservation[];
  showIds: string[];
}

const SEATS_PER_SHOW = 60;

/** Decides, from the seed, who reserves what and which faults strike where. Same seed, same plan. */
export function planDemo(options: {
  reservations: number;
  seed: number;
  faults: FaultRates;
  paymentTimeoutMs: number;
  slowChargeMs: number;
}): DemoPlan {
  const random = seededRandom(options.seed);
  const walletCount = Math.max(2, Math.ceil(options.reservations / 4));
  const wallets = Array.from({ length: walletCount }, (_, i) => {
    const poor = random() < options.faults.insufficientFunds;
    return { id: `wallet-${i + 1}`, initial: poor ? 5 : 200 };
  });
  const poisonWallets = wallets.filter(() => random() < options.faults.poisonWallets).map((w) => w.id);
  const reservations: PlannedReservation[] = [];
  const showIds: string[] = [];
  for (let i = 0; i < options.reservations; i++) {
    const showIndex = Math.floor(i / SEATS_PER_SHOW);
    const showId = `show-${showIndex + 1}`;
    if (showIds[showIndex] === undefined) showIds.push(showId);
    const seatNumber = i % SEATS_PER_SHOW;
    reservations.push({
      reservationId: `r-${String(i + 1).padStart(6, '0')}`,
      showId,
      seat: `${String.fromCharCode(65 + Math.floor(seatNumber / 12))}${(seatNumber % 12) + 1}`,
      walletId: wallets[Math.floor(random() * wallets.length)]!.id,
      amount: 10 + Math.floor(random() * 11),
      duplicateCharge: random() < options.faults.duplicates,
      customerCancelsTwice: random() < options.faults.duplicates / 2,
    });
  }
  const slowReservations = reservations
    .filter(() => random() < options.faults.timeouts)
    .map((r) => r.reservationId);
  return {
    showIds,
    reservations,
    config: {
      wallets,
      poisonWallets,
      slowReservations,
      paymentTimeoutMs: options.paymentTimeoutMs,
      slowChargeMs: options.slowChargeMs,
      retry: {
        immediateRetries: 1,
        immediateDelay: 10,
        initialInterval: 100,
        maxInterval: 400,
        delayedRetries: 1,
      },
    },
  };
}
