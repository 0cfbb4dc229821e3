import { describe, expect, it } from 'vitest';
import { runCinemaDemo } from '../runCinemaDemo.ts';

const invariantsHold = { moneyConserved: true, noSeatSoldTwice: true, everyFailureAccountedFor: true };

describe('cinema demo, orchestrated', () => {
  it(
    'tells every path with one workflow run per reservation in one process, and the invariants hold',
    { timeout: 120_000 },
    async () => {
      const result = await runCinemaDemo({
        orchestrated: true,
        reservations: 240,
        seed: 7,
        faults: { insufficientFunds: 0.15, poisonWallets: 0.08, timeouts: 0.05, duplicates: 0.1 },
        // Long enough for customer cancellations to reach the runs of slow charges before they give up.
        paymentTimeoutMs: 2500,
        slowChargeMs: 3500,
      });
      expect(result.problems).toEqual([]);
      expect(result.settled).toBe(true);
      expect(result.invariants).toEqual(invariantsHold);
      expect(result.saga).toBe('orchestration');
      expect(result.pending).toBe(0);
      for (const path of [
        'confirmed',
        'cancelledInsufficientFunds',
        'deadLettered',
        'compensated',
        'refunded',
        'duplicatesIgnored',
      ] as const) {
        expect(result[path], path).toBeGreaterThan(0);
      }
      // A customer's cancellation counts only if it reaches the run before the charge is answered, which the
      // timing of a run decides; reservationPaths.e2e.test.ts holds a charge to cover that path every time.
      expect(result.cancelledTimeout + result.cancelledByCustomer).toBeGreaterThan(0);
      // Every reservation had exactly one run: the confirmed ones completed, every other one failed and
      // compensated; none is left running or parked.
      expect(result.runs).toEqual({
        running: 0,
        parked: 0,
        completed: result.confirmed,
        failed: result.reservations - result.confirmed,
        cancelled: 0,
      });
      const ended =
        result.confirmed +
        result.cancelledInsufficientFunds +
        result.cancelledTimeout +
        result.cancelledByCustomer +
        result.compensated;
      expect(ended).toBe(result.reservations);
    },
  );

  it(
    'survives SIGKILL of the wallet process mid-run: every run ends and the invariants hold after its restart',
    { timeout: 180_000 },
    async () => {
      const result = await runCinemaDemo({
        orchestrated: true,
        reservations: 400,
        seed: 3,
        processes: true,
        killWallet: true,
        paymentTimeoutMs: 4000,
        slowChargeMs: 5000,
      });
      expect(result.walletRestarts).toBe(1);
      expect(result.problems).toEqual([]);
      expect(result.settled).toBe(true);
      expect(result.invariants).toEqual(invariantsHold);
      expect(result.runs).toEqual({
        running: 0,
        parked: 0,
        completed: result.confirmed,
        failed: result.reservations - result.confirmed,
        cancelled: 0,
      });
      expect(result.confirmed).toBeGreaterThan(300);
    },
  );
});
