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
  /** The lane that last acquired it. */
  owner: string;
  /** Lanes of one group (one consumer) may take over from each other once no unit of theirs is running. */
  group: string;
  /** Uncommitted values, oldest first. */
  layers: Layer[];
  /** Units that acquired the resource and are running or not yet committed. */
  holders: Set<number>;
  /** Holders whose handler is still running. */
  running: Set<number>;
  waiters: Array<() => void>;
}

/**
 * Isolation between the key lanes of a service's consumers (and its direct command calls). A resource (an
 * entity stream, a read-model document, a command id) touched by a running unit is that unit's until the
 * handler finishes. After that, lanes of the same consumer may build on its uncommitted value right away — the
 * consumer commits its units in completion order, so the chain commits in order or is redone together — while
 * anyone else (another consumer, a direct command) waits until the value is committed. A wait that would close a
 * cycle throws {@link DeadlockError}.
 */
export class ResourceLocks {
  private readonly resources = new Map<string, Resource>();
  private readonly waitingFor = new Map<string, string>();

  /**
   * Takes `key` for `unit` of `lane`. `group` names who may share uncommitted values (a consumer); lanes are
   * unique across groups.
   */
  async acquire(key: string, lane: string, unit: number, group: string = lane): Promise<void> {
    while (!this.tryAcquire(key, lane, unit, group)) {
      const resource = this.resources.get(key)!;
      if (this.closesCycle(lane, resource.owner)) throw new DeadlockError(key);
      this.waitingFor.set(lane, key);
      await new Promise<void>((resolve) => resource.waiters.push(resolve));
      this.waitingFor.delete(lane);
    }
  }

  /**
   * Takes `key` at once if it is free for `lane` (as {@link acquire} would), with no promise made; false when
   * the caller must wait with `acquire`.
   */
  tryAcquire(key: string, lane: string, unit: number, group: string = lane): boolean {
    const resource = this.resources.get(key);
    if (resource === undefined) {
      this.resources.set(key, {
        owner: lane,
        group,
        layers: [],
        holders: new Set([unit]),
        running: new Set([unit]),
        waiters: [],
      });
      return true;
    }
    const free = resource.running.size === 0 || (resource.running.size === 1 && resource.running.has(unit));
    if (resource.owner === lane || (resource.group === group && free)) {
      resource.owner = lane;
      resource.holders.add(unit);
      resource.running.add(unit);
      return true;
    }
    return false;
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

  /** A unit finished its handler: it keeps only the resources it wrote to, and no longer runs. */
  finished(unit: number, keys: Iterable<string>): void {
    for (const key of keys) {
      const resource = this.resources.get(key);
      if (resource === undefined) continue;
      resource.running.delete(unit);
      if (!resource.layers.some((layer) => layer.unit === unit)) this.leave(key, resource, unit);
      else this.wake(resource);
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
      const last = removeLayers(resource, unit);
      if (last !== undefined) settled(key, last.value);
      this.leave(key, resource, unit);
    }
  }

  /** A unit was discarded (failed or aborted): its layers are dropped. */
  discarded(unit: number, keys: Iterable<string>): void {
    for (const key of keys) {
      const resource = this.resources.get(key);
      if (resource === undefined) continue;
      removeLayers(resource, unit);
      this.leave(key, resource, unit);
    }
  }

  /**
   * Forgets every resource of a group (one consumer's, after it rewound: its uncommitted values are void) and
   * wakes their waiters.
   */
  releaseGroup(group: string): void {
    for (const [key, resource] of [...this.resources]) {
      if (resource.group !== group) continue;
      this.resources.delete(key);
      this.wake(resource);
    }
    for (const lane of [...this.waitingFor.keys()]) if (lane.startsWith(group)) this.waitingFor.delete(lane);
  }

  get size(): number {
    return this.resources.size;
  }

  private leave(key: string, resource: Resource, unit: number): void {
    resource.holders.delete(unit);
    resource.running.delete(unit);
    if (resource.holders.size > 0) {
      this.wake(resource);
      return;
    }
    this.resources.delete(key);
    this.wake(resource);
  }

  private wake(resource: Resource): void {
    const waiters = resource.waiters;
    resource.waiters = [];
    for (const wake of waiters) wake();
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

/** Takes `unit`'s layers out of `resource` (in place: most resources hold one layer) and returns its newest. */
function removeLayers(resource: Resource, unit: number): Layer | undefined {
  const layers = resource.layers;
  let last: Layer | undefined;
  let kept = 0;
  for (const layer of layers) {
    if (layer.unit === unit) last = layer;
    else layers[kept++] = layer;
  }
  layers.length = kept;
  return last;
}
