import { createService, silentLogger, type Service, type ServiceOptions } from '@parley/core';
import { afterEach } from 'vitest';
import type { ConformanceTarget, Connection, Environment } from './ConformanceTarget.ts';

/** Opens environments, connections and services for one test and closes them all after it, newest first. */
export interface Harness {
  environment(): Promise<Environment>;
  open(environment: Environment, options?: { service?: string }): Promise<Connection>;
  service(connection: Connection, name: string, options?: Partial<ServiceOptions>): Service;
}

export function useHarness(target: ConformanceTarget): Harness {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    const pending = cleanups.splice(0).reverse();
    for (const cleanup of pending) await cleanup();
  });
  return {
    async environment() {
      const environment = await target.createEnvironment();
      cleanups.push(() => environment.dispose());
      return environment;
    },
    async open(environment, options) {
      const connection = await environment.open(options);
      let closed: Promise<void> | undefined;
      const close = () => (closed ??= connection.close());
      cleanups.push(close);
      return { store: connection.store, bus: connection.bus, close };
    },
    service(connection, name, options = {}) {
      // Failure tests fail on purpose: their warnings would bury the test output. Tests that check logs pass one.
      const service = createService({
        name,
        store: connection.store,
        bus: connection.bus,
        logger: silentLogger,
        ...options,
      });
      cleanups.push(() => service.stop());
      return service;
    },
  };
}
