import type { RetryPolicy } from '@parley/core';

/** Everything both services must agree on: the wallets, the faults, the timings. Serialisable for child processes. */
export interface CinemaConfig {
  wallets: Array<{ id: string; initial: number }>;
  /** Wallets whose payment gateway always fails with an unexpected error. */
  poisonWallets: string[];
  /** Reservations whose charge is slower than the payment timeout (and then succeeds). */
  slowReservations: string[];
  /** How long the show waits for a payment before cancelling, in ms. */
  paymentTimeoutMs: number;
  /** How long a slow charge takes, in ms (more than the payment timeout). */
  slowChargeMs: number;
  /** The wallet charger's retry policy. */
  retry: RetryPolicy;
}
