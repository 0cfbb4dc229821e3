export { show, type ShowState, type Reservation, type ReservationStatus } from './show.ts';
export { wallet, type WalletState } from './wallet.ts';
export { showCommands } from './showCommands.ts';
export { showEvents } from './showEvents.ts';
export { walletEvents } from './walletEvents.ts';
export { reservations, withReservationsProjection } from './reservations.ts';
export { createShowService } from './showService.ts';
export { createWalletService, openWallets } from './walletService.ts';
export type { CinemaConfig } from './CinemaConfig.ts';
export { planDemo, type DemoPlan, type FaultRates, type PlannedReservation } from './planDemo.ts';
export {
  inspectCinema,
  type CinemaCounts,
  type CinemaInvariants,
  type CinemaInspection,
} from './inspectCinema.ts';
export { runCinemaDemo, type CinemaDemoOptions, type CinemaDemoResult } from './runCinemaDemo.ts';
export { walletCommands } from './orchestrated/walletCommands.ts';
export { walletReplies } from './orchestrated/walletReplies.ts';
export {
  reservationWorkflow,
  reservationInput,
  RESERVATION_WORKFLOW,
  type ReservationInput,
  type ReservationOutput,
  type ReservationWorkflow,
} from './orchestrated/reservationWorkflow.ts';
export { createOrchestratedShowService } from './orchestrated/orchestratedShowService.ts';
export { createOrchestratedWalletService } from './orchestrated/orchestratedWalletService.ts';
export { countRuns, type RunCounts } from './orchestrated/countRuns.ts';
export { cinemaSimulation, type CinemaSimulationOptions } from './simulation/cinemaSimulation.ts';
