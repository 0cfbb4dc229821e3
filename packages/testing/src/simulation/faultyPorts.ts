import type { Bus, Store } from '@parley/core';
import type { FaultInjector } from './faults/FaultInjector.ts';
import type { SeededRandom } from './SeededRandom.ts';
import type { Trace } from './Trace.ts';
import type { ProcessClock, VirtualClock } from './VirtualClock.ts';

/** What the faulty ports of every process share. */
export interface FaultWorld {
  readonly clock: VirtualClock;
  /** Latencies: the interleaving stream of the seed. */
  readonly random: SeededRandom;
  readonly faults: FaultInjector;
  readonly trace: Trace;
  /** Until when (virtual time) each store (`store:<service>`) or the bus (`bus`) is unreachable. */
  readonly outages: Map<string, number>;
  /** Whether to inject faults into this process (clients of the simulation get latency only). */
  crash(process: PortOwner): void;
}

/** The process a port belongs to. */
export interface PortOwner {
  readonly name: string;
  readonly clock: ProcessClock;
  readonly faulty: boolean;
  readonly alive: boolean;
}

/** A promise that never settles: what a dead process's calls turn into. */
const never = <T>(): Promise<T> => new Promise<T>(() => {});

/** Thrown by a store or bus that is unreachable, as a driver reports a refused or cut connection. */
export class SimulatedConnectionError extends Error {
  override name = 'SimulatedConnectionError';
  readonly code = 'ECONNRESET';
}

const STORE_READS = new Set(['readStream', 'getDocument', 'findDocuments', 'findCommand']);
/** Waits are long and never reject: no latency, no outage, nothing to trace but their call. */
const WAITS = new Set(['waitForChange', 'waitForMessages']);

type Port = 'store' | 'bus';

function wrap<T extends object>(
  target: T,
  port: Port,
  owner: PortOwner,
  world: FaultWorld,
  label: string,
): T {
  const outageKey = port === 'store' ? `store:${owner.name}` : 'bus';
  const methods = new Map<PropertyKey, unknown>();

  async function call(method: string, args: unknown[], fn: (...a: unknown[]) => Promise<unknown>) {
    world.trace.record(world.clock.elapsed, `${label}.${method}`, args);
    if (!owner.alive) return never();
    if (method === 'close' || WAITS.has(method)) return fn.apply(target, args);
    const faults = owner.faulty ? world.faults : undefined;
    let latency = world.random.below(3);
    if (faults?.decide('reorder') !== undefined) latency = world.random.between(5, 50);
    if (port === 'store' && STORE_READS.has(method)) {
      const slow = faults?.decide('slowHandlers', (r) => r.between(100, 3000));
      if (slow !== undefined) latency += slow.arg ?? 0;
    }
    if (latency > 0) await owner.clock.sleep(latency);
    if (!owner.alive) return never();
    if (faults !== undefined && (world.outages.get(outageKey) ?? 0) > world.clock.elapsed)
      throw new SimulatedConnectionError(`${label} is unreachable (simulated outage)`);
    const outage = faults?.decide(port === 'store' ? 'storeOutage' : 'busOutage', (r) => r.between(50, 2000));
    if (outage !== undefined) {
      world.outages.set(outageKey, world.clock.elapsed + (outage.arg ?? 0));
      throw new SimulatedConnectionError(`${label} became unreachable (simulated outage)`);
    }
    if (port === 'bus' && method === 'publish' && faults?.decide('duplicates') !== undefined)
      await fn.apply(target, args);
    const result = await fn.apply(target, args);
    if (!owner.alive) return never();
    if (method === 'commit') {
      if (faults?.decide('crashAfterCommit') !== undefined) {
        world.crash(owner);
        return never();
      }
      if (faults?.decide('unknownCommit') !== undefined)
        throw new SimulatedConnectionError(
          `${label}: connection lost while committing (simulated; it committed)`,
        );
    }
    return result;
  }

  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof property !== 'string') return value;
      if (typeof value === 'function') {
        let method = methods.get(property);
        if (method === undefined) {
          const fn = value as (...a: unknown[]) => Promise<unknown>;
          method = (...args: unknown[]) => call(property, args, fn);
          methods.set(property, method);
        }
        return method;
      }
      // Leases and instance slots are ports of their own, on the same connection.
      if (
        value !== null &&
        typeof value === 'object' &&
        (property === 'leases' || property === 'instanceSlots')
      ) {
        let inner = methods.get(property);
        if (inner === undefined)
          methods.set(property, (inner = wrap(value, port, owner, world, `${label}.${property}`)));
        return inner;
      }
      return value;
    },
  });
}

/** `store` as one simulated process sees it: with latency, outages, unknown commits and crashes after commits. */
export function faultyStore(store: Store, owner: PortOwner, world: FaultWorld): Store {
  return wrap(store, 'store', owner, world, `${owner.name}.store`);
}

/** `bus` as one simulated process sees it: with latency, outages and duplicate publishes. */
export function faultyBus(bus: Bus, owner: PortOwner, world: FaultWorld): Bus {
  return wrap(bus, 'bus', owner, world, `${owner.name}.bus`);
}
