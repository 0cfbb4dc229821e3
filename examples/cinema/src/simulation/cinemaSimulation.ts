import { createService, type Store } from '@parley/core';
import {
  checkpointBeforeEffects,
  type FaultRates,
  type SimulateOptions,
  type SimulationWorld,
} from '@parley/testing/simulation';
import { inspectCinema, type CinemaInspection } from '../inspectCinema.ts';
import { planDemo, type FaultRates as StoryFaults } from '../planDemo.ts';
import { createOrchestratedShowService } from '../orchestrated/orchestratedShowService.ts';
import { createOrchestratedWalletService } from '../orchestrated/orchestratedWalletService.ts';
import { sendOrchestratedBatch } from '../orchestrated/sendOrchestratedBatch.ts';
import { sendReservations } from '../sendReservations.ts';
import { show } from '../show.ts';
import { createShowService } from '../showService.ts';
import { wallet } from '../wallet.ts';
import { createWalletService, openWallets } from '../walletService.ts';

export interface CinemaSimulationOptions {
  readonly seed: number;
  /** @default 40 */
  readonly reservations?: number;
  /** Faults of the infrastructure (crashes, outages…). @default none */
  readonly faults?: FaultRates;
  /** The story's own troubles. @default 10% short of money, 10% poison wallets, 5% late charges, 10% duplicates */
  readonly story?: Partial<StoryFaults>;
  /**
   * Run the wallet on an engine with a planted bug — its checkpoint committed before the charge — to see the
   * simulation catch it. @default false
   */
  readonly plantBug?: boolean;
  /** Tell the story as an orchestration: a workflow run per reservation in the show service. @default false */
  readonly orchestrated?: boolean;
}

const DRIVER = 'cinema-driver';

/**
 * The cinema story as a simulation: the show and wallet services (faults strike them), the customers' driver
 * (faults spare it), reservations sent in small batches at seeded moments, and the story's invariants — money
 * conserved, no seat sold twice, every failure accounted for — checked once nothing is pending.
 *
 * @example
 * const report = await simulate(cinemaSimulation({ seed: 7, faults: ALL_FAULTS }));
 */
export function cinemaSimulation(
  options: CinemaSimulationOptions,
): Pick<SimulateOptions, 'seed' | 'services' | 'clients' | 'workload' | 'settled' | 'invariants' | 'faults'> {
  const paymentTimeoutMs = 5_000;
  const plan = planDemo({
    reservations: options.reservations ?? 40,
    seed: options.seed,
    faults: { insufficientFunds: 0.1, poisonWallets: 0.1, timeouts: 0.05, duplicates: 0.1, ...options.story },
    paymentTimeoutMs,
    slowChargeMs: paymentTimeoutMs + 2_000,
  });
  const orchestrated = options.orchestrated === true;
  const send = orchestrated ? sendOrchestratedBatch : sendReservations;
  const walletStore = options.plantBug === true ? checkpointBeforeEffects : (store: Store) => store;
  const inspect = (world: SimulationWorld): Promise<CinemaInspection> =>
    inspectCinema(plan, {
      show: createService({ name: 'show-observer', store: world.store('show'), bus: world.bus }).entity(show),
      wallet: createService({ name: 'wallet-observer', store: world.store('wallet'), bus: world.bus }).entity(
        wallet,
      ),
      walletStore: world.store('wallet'),
    });
  return {
    seed: options.seed,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    services: {
      show: (env) =>
        orchestrated
          ? createOrchestratedShowService({ ...env, config: plan.config }).service
          : createShowService({ ...env, config: plan.config }),
      wallet: async (env) => {
        const walletOptions = { ...env, store: walletStore(env.store), config: plan.config };
        const service = orchestrated
          ? createOrchestratedWalletService(walletOptions)
          : createWalletService(walletOptions);
        // Idempotent (one command id per wallet): every incarnation may open them again.
        await openWallets(service, plan.config);
        return service;
      },
    },
    clients: { [DRIVER]: (env) => createService(env) },
    workload: async (world) => {
      const batch = 8;
      for (let i = 0; i < plan.reservations.length; i += batch) {
        await send(world.service(DRIVER), plan.reservations.slice(i, i + batch));
        await world.sleep(world.random.between(0, 200));
      }
    },
    settled: async (world) => {
      const { settled, counts } = await inspect(world);
      return settled || `${counts.pending} reservation(s) pending or a refund owed`;
    },
    invariants: {
      moneyConserved: async (world) => problemsUnless(await inspect(world), 'moneyConserved'),
      noSeatSoldTwice: async (world) => problemsUnless(await inspect(world), 'noSeatSoldTwice'),
      everyFailureAccountedFor: async (world) =>
        problemsUnless(await inspect(world), 'everyFailureAccountedFor'),
    },
  };
}

function problemsUnless(inspection: CinemaInspection, invariant: keyof CinemaInspection['invariants']) {
  return inspection.invariants[invariant] ? [] : inspection.problems;
}
