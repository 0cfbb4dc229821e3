import { describe, expect, it } from 'vitest';
import { runCinemaDemo } from './runCinemaDemo.ts';

describe('cinema demo', () => {
  it('runs every path at once in one process, and the invariants hold', { timeout: 120_000 }, async () => {
    const result = await runCinemaDemo({
      reservations: 240,
      seed: 7,
      faults: { insufficientFunds: 0.15, poisonWallets: 0.08, timeouts: 0.05, duplicates: 0.1 },
      paymentTimeoutMs: 1500,
      slowChargeMs: 2500,
    });
    expect(result.problems).toEqual([]);
    expect(result.invariants).toEqual({
      moneyConserved: true,
      noSeatSoldTwice: true,
      everyFailureAccountedFor: true,
    });
    expect(result.pending).toBe(0);
    for (const path of [
      'confirmed',
      'cancelledInsufficientFunds',
      'deadLettered',
      'refunded',
      'duplicatesIgnored',
    ] as const) {
      expect(result[path], path).toBeGreaterThan(0);
    }
    expect(result.compensated + result.cancelledTimeout).toBeGreaterThan(0);
  });

  it(
    'survives SIGKILL of the wallet process mid-run: all invariants hold after its restart',
    { timeout: 180_000 },
    async () => {
      const result = await runCinemaDemo({
        reservations: 400,
        seed: 3,
        processes: true,
        killWallet: true,
        paymentTimeoutMs: 4000,
        slowChargeMs: 5000,
      });
      expect(result.walletRestarts).toBe(1);
      expect(result.problems).toEqual([]);
      expect(result.invariants).toEqual({
        moneyConserved: true,
        noSeatSoldTwice: true,
        everyFailureAccountedFor: true,
      });
      expect(result.confirmed).toBeGreaterThan(300);
    },
  );
});
