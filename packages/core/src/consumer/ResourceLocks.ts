import { ParleyError } from '../errors/ParleyError.ts';

/** Thrown into a handler whose wait for a resource would close a cycle; the runtime re-runs its message. */
export class DeadlockError extends ParleyError {
  constructor(resource: string) {
    super('DEADLOCK', `waiting for ${resource} would deadlock; the message is run again`);
    this.name = 'DeadlockError';
  }
}

interface Layer {
  readonly unit: number;
  readonly value: unknown;
}

interface Resource {
  owner: string;
  /** Uncommitted values, oldest first. */
  layers: Layer[];
  /** Units that acquired the resource and are running or not yet committed. */
  holders: Set<number>;
  waiters: Array<() => void>;
}

/**
 * Isolation between the key lanes of a service's consumers (and its direct command calls). A resource (an entity stream, a read-model document, a
 * command id) touched by a unit belongs to that unit's lane until every unit of the lane that touched it has
 * committed or been discarded; other lanes wait. A lane sees its own uncommitted values (layers), so messages
 * of one key chain without waiting for commits. A wait that would close a cycle throws {@link DeadlockError}.
 */
export class ResourceLocks {
  private readonly resources = new Map<string, Resource>();
  private readonly waitingFor = new Map<string, string>();

  async acquire(key: string, lane: string, unit: number): Promise<void> {
    for (;;) {
      const resource = this.resources.get(key);
      if (resource === undefined) {
        this.resources.set(key, { owner: lane, layers: [], holders: new Set([unit]), waiters: [] });
        return;
      }
      if (resource.owner === lane) {
        resource.holders.add(unit);
        return;
      }
      if (this.closesCycle(lane, resource.owner)) throw new DeadlockError(key);
      this.waitingFor.set(lane, key);
      await new Promise<void>((resolve) => resource.waiters.push(resolve));
      this.waitingFor.delete(lane);
    }
  }

  /** The newest uncommitted value of a resource, if any. */
  top(key: string): { value: unknown } | undefined {
    const layers = this.resources.get(key)?.layers;
    const last = layers?.[layers.length - 1];
    return last === undefined ? undefined : { value: last.value };
  }

  /** Records a new uncommitted value written by `unit` (which must hold the resource). */
  push(key: string, unit: number, value: unknown): void {
    const resource = this.resources.get(key);
    if (resource === undefined || !resource.holders.has(unit)) {
      throw new ParleyError('LOCK_NOT_HELD', `unit ${unit} writes ${key} without holding it`);
    }
    resource.layers.push({ unit, value });
  }

  /** A unit finished its handler: it keeps only the resources it wrote to. */
  finished(unit: number, keys: Iterable<string>): void {
    for (const key of keys) {
      const resource = this.resources.get(key);
      if (resource === undefined) continue;
      if (!resource.layers.some((layer) => layer.unit === unit)) this.leave(key, resource, unit);
    }
  }

  /**
   * A unit committed: its layers leave the resources. Calls `settled` with the last committed value of each
   * resource it wrote, so the caller can cache it.
   */
  committed(unit: number, keys: Iterable<string>, settled: (key: string, value: unknown) => void): void {
    for (const key of keys) {
      const resource = this.resources.get(key);
      if (resource === undefined) continue;
      let last: Layer | undefined;
      resource.layers = resource.layers.filter((layer) => {
        if (layer.unit !== unit) return true;
        last = layer;
        return false;
      });
      if (last !== undefined) settled(key, last.value);
      this.leave(key, resource, unit);
    }
  }

  /** A unit was discarded (failed or aborted): its layers are dropped. */
  discarded(unit: number, keys: Iterable<string>): void {
    for (const key of keys) {
      const resource = this.resources.get(key);
      if (resource === undefined) continue;
      resource.layers = resource.layers.filter((layer) => layer.unit !== unit);
      this.leave(key, resource, unit);
    }
  }

  /**
   * Forgets every resource owned by a lane whose name starts with `prefix` (one consumer's lanes, after it
   * rewound) and wakes their waiters.
   */
  releaseOwnedBy(prefix: string): void {
    for (const [key, resource] of [...this.resources]) {
      if (!resource.owner.startsWith(prefix)) continue;
      this.resources.delete(key);
      for (const wake of resource.waiters) wake();
    }
    for (const lane of [...this.waitingFor.keys()]) if (lane.startsWith(prefix)) this.waitingFor.delete(lane);
  }

  get size(): number {
    return this.resources.size;
  }

  private leave(key: string, resource: Resource, unit: number): void {
    resource.holders.delete(unit);
    if (resource.holders.size > 0) return;
    this.resources.delete(key);
    for (const wake of resource.waiters) wake();
  }

  private closesCycle(lane: string, owner: string): boolean {
    const seen = new Set<string>();
    let current: string | undefined = owner;
    while (current !== undefined && !seen.has(current)) {
      if (current === lane) return true;
      seen.add(current);
      const awaited = this.waitingFor.get(current);
      current = awaited === undefined ? undefined : this.resources.get(awaited)?.owner;
    }
    return false;
  }
}
