import type { Bus, Clock, Logger, Service, Store } from '@parley/core';
import type { FaultKind, FaultRates } from './faults/FaultRates.ts';
import type { SeededRandom } from './SeededRandom.ts';

/** What a simulated process is given to build its service with: pass all of it to `createService`. */
export interface ServiceEnv {
  readonly name: string;
  readonly store: Store;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The same in every incarnation of the process, so a restarted one takes its partitions back at once. */
  readonly instanceId: string;
}

/** Builds one service (not started) from what the simulation gives it. */
export type ServiceFactory = (env: ServiceEnv) => Service | Promise<Service>;

/** What a workload, a settle check and an invariant see of a simulated run. */
export interface SimulationWorld {
  readonly seed: number;
  /** Virtual time; its timers belong to no process. */
  readonly clock: Clock;
  /** The workload's own seeded stream (faults and latencies draw from others). */
  readonly random: SeededRandom;
  /** The running incarnation of a service or client. @throws Error when it is down (crashed, restarting) */
  service(name: string): Service;
  /** A connection to a service's store that no fault touches: for reading state in checks. */
  store(name: string): Store;
  /** The bus, through a connection no fault touches. */
  readonly bus: Bus;
  sleep(ms: number): Promise<void>;
  /**
   * Calls a service as a client would (`world.call('tasks', (s) => s.execute(…))`): when its process crashes or
   * its store is cut off meanwhile, waits and calls the next incarnation — so give commands ids of their own.
   */
  call<T>(name: string, call: (service: Service) => Promise<T>): Promise<T>;
  /** Resolves once every service and client is idle twice in a row and no process is down (see `whenAllIdle`). */
  whenIdle(): Promise<void>;
}

/**
 * A property that must hold once the run has settled. It holds when it returns nothing, `true` or an empty list;
 * it is violated when it returns `false`, a message or messages, or throws.
 */
export type Invariant = (world: SimulationWorld) => unknown;

export interface SimulateOptions {
  /** Picks every interleaving, fault and workload choice: one seed, one run. */
  readonly seed: number;
  /** The services under test, each in its own simulated process, which faults crash, cut off and restart. */
  readonly services: Readonly<Record<string, ServiceFactory>>;
  /** Processes faults never touch (they still see latency): the callers, e.g. customers publishing requests. */
  readonly clients?: Readonly<Record<string, ServiceFactory>>;
  /** What happens during the run, in virtual time: publish, execute, sleep. Faults stop once it returns. */
  readonly workload: (world: SimulationWorld) => Promise<void>;
  /**
   * Whether the story is over once everything is idle (a pending timeout, say, is not idle work): checked after
   * each idle moment until it says yes. @default always yes
   */
  readonly settled?: (world: SimulationWorld) => unknown;
  /** Checked by name once the run has settled. */
  readonly invariants: Readonly<Record<string, Invariant>>;
  /** @default no faults */
  readonly faults?: FaultRates;
  /** Most timers the scheduler fires before it calls the run stuck. @default 2,000,000 */
  readonly steps?: number;
  /** Most virtual time the run may take to settle after its workload. @default 15 minutes */
  readonly settleWithinMs?: number;
  /**
   * Replays a seed with exactly these faults (`<seed>/<schedule>`, as printed on failure) instead of drawing
   * them from rates; the environment variable `PARLEY_SIMULATE_REPLAY` does the same.
   */
  readonly replay?: string;
  /** On failure, look for a smaller fault schedule that still fails. @default true */
  readonly shrink?: boolean;
  /** At most this many runs spent shrinking. @default 40 */
  readonly shrinkRuns?: number;
  /** Run the seed twice and fail when the two runs differ in any store or bus call. @default false */
  readonly checkDeterminism?: boolean;
  /** The command that replays a failure, for its report. @default `PARLEY_SIMULATE_REPLAY=… npx vitest run` */
  readonly replayCommand?: (replay: string) => string;
  /** Where a failure is reported (the services log into the run's own record). @default defaultLogger() */
  readonly logger?: Logger;
}

/** What one simulated seed did. */
export interface SimulationReport {
  readonly seed: number;
  readonly ok: boolean;
  /** Each violated invariant, or why the run could not finish, with its message. */
  readonly violations: ReadonlyArray<string>;
  /** The faults injected (shrunk, when the run failed and shrinking found a smaller schedule that fails). */
  readonly schedule: string;
  /** `<seed>/<schedule>`: what `replay` and `PARLEY_SIMULATE_REPLAY` take. */
  readonly replay: string;
  /** The command that replays this run, when it failed. */
  readonly command?: string;
  /** Faults injected, by kind (in the run as drawn, before shrinking). */
  readonly faults: Partial<Record<FaultKind, number>>;
  readonly steps: number;
  readonly virtualMs: number;
  /** Messages published to the bus (copies of duplicate publishes not counted). */
  readonly messages: number;
  readonly invariantsChecked: number;
  /** Digest of every store and bus call of the run: equal for runs of one seed. */
  readonly digest: string;
}
