/** An entity's state at a version. */
export interface Snapshot<S = unknown> {
  readonly state: S;
  readonly version: number;
}

/**
 * Recently used committed entity states, so a command does not reload its stream. Holds only committed states;
 * a stale entry is caught by optimistic concurrency at commit, which then evicts it.
 */
export class EntityCache {
  private readonly entries = new Map<string, Snapshot>();

  constructor(private readonly capacity: number) {}

  static key(entity: string, entityId: string): string {
    return `${entity}\u0000${entityId}`;
  }

  get(key: string): Snapshot | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Re-insert to mark as most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** Stores a state unless a newer version is already cached. */
  set(key: string, snapshot: Snapshot): void {
    const existing = this.entries.get(key);
    if (existing !== undefined && existing.version > snapshot.version) return;
    this.entries.delete(key);
    this.entries.set(key, snapshot);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
