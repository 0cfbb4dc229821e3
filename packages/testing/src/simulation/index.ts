/** Deterministic simulation, without the test-runner parts of @parley/testing: `@parley/testing/simulation`. */
export { simulate } from './simulate.ts';
export type {
  Invariant,
  ServiceEnv,
  ServiceFactory,
  SimulateOptions,
  SimulationReport,
  SimulationWorld,
} from './SimulationOptions.ts';
export {
  ALL_FAULTS,
  FAULT_KINDS,
  parseFaults,
  type FaultKind,
  type FaultRates,
} from './faults/FaultRates.ts';
export { formatReplay, parseReplay, type ScheduledFault } from './faults/FaultSchedule.ts';
export { SeededRandom } from './SeededRandom.ts';
export { VirtualClock, ProcessClock, SIMULATION_EPOCH } from './VirtualClock.ts';
export { checkpointBeforeEffects } from './checkpointBeforeEffects.ts';
