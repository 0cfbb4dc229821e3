import type { Bus, Store } from '@parley/core';

/** What a backend guarantees; the suite runs the tests a backend claims. */
export interface Features {
  /** Messages of one key are handled one at a time, in publish order. */
  orderedPerKey: boolean;
  /** Effects in the same store commit with the checkpoint: a message's effects are applied once. */
  exactlyOnceEffects: boolean;
  /** Data survives closing and reopening. */
  persistent: boolean;
  /** Several connections (standing for processes) may share one store and bus. */
  multiInstance: boolean;
}

/** One store and one bus, opened on an environment. */
export interface Connection {
  readonly store: Store;
  readonly bus: Bus;
  close(): Promise<void>;
}

/** A fresh, empty place for one test: a file, a schema, a set of streams. */
export interface Environment {
  /**
   * Opens a store and a bus. Each call is a new connection to the same data, as a restarted or second
   * process would have. `service` separates stores of different services where the backend supports it.
   */
  open(options?: { service?: string }): Promise<Connection>;
  dispose(): Promise<void>;
}

export interface ConformanceTarget {
  readonly name: string;
  readonly features: Features;
  createEnvironment(): Promise<Environment>;
}
