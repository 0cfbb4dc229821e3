import type { Clock } from '../clock/Clock.ts';
import { Signal } from '../concurrency/Signal.ts';

interface BlockedKey {
  readonly partition: number;
  draining: boolean;
  /** Parks of this key handed to the committer and not yet committed. */
  pendingParks: number;
}

/**
 * The keys of one consumer that are blocked: their messages go to the key's parked queue, in order, until the
 * queue drains. Mirrors the store's parked queues plus parks not yet committed.
 */
export class ParkedKeys {
  private readonly keys = new Map<string, BlockedKey>();
  /** Units of a key's parked queue (dead-letter changes) not yet committed: the key is busy until they are. */
  private readonly pendingWrites = new Map<string, number>();
  /** Replays (redriven messages of no queue) waiting in or running on a key's lane. */
  private readonly replays = new Map<string, number>();
  private readonly committedSignal: Signal;

  constructor(clock: Clock) {
    this.committedSignal = new Signal(clock);
  }

  isBlocked(key: string): boolean {
    return this.keys.has(key);
  }

  isDraining(key: string): boolean {
    return this.keys.get(key)?.draining === true;
  }

  block(key: string, partition: number): void {
    if (!this.keys.has(key)) this.keys.set(key, { partition, draining: false, pendingParks: 0 });
  }

  unblock(key: string): void {
    this.keys.delete(key);
  }

  setDraining(key: string, draining: boolean): void {
    const entry = this.keys.get(key);
    if (entry !== undefined) entry.draining = draining;
  }

  parkPending(key: string): void {
    const entry = this.keys.get(key);
    if (entry !== undefined) entry.pendingParks++;
  }

  parkCommitted(key: string): void {
    const entry = this.keys.get(key);
    if (entry !== undefined) entry.pendingParks = Math.max(0, entry.pendingParks - 1);
    this.committedSignal.notify();
  }

  /** Whether a park of `key` is on its way to the store (handed to the committer, not yet committed). */
  hasPendingParks(key: string): boolean {
    return (this.keys.get(key)?.pendingParks ?? 0) > 0;
  }

  /** Resolves once every park of `key` handed to the committer has committed (or the key is gone). */
  async settled(key: string, signal?: AbortSignal): Promise<void> {
    while (this.hasPendingParks(key) && signal?.aborted !== true) {
      await this.committedSignal.wait(100, signal);
    }
  }

  writePending(key: string): void {
    this.pendingWrites.set(key, (this.pendingWrites.get(key) ?? 0) + 1);
  }

  writeCommitted(key: string): void {
    const left = (this.pendingWrites.get(key) ?? 0) - 1;
    if (left > 0) this.pendingWrites.set(key, left);
    else this.pendingWrites.delete(key);
  }

  replayQueued(key: string): void {
    this.replays.set(key, (this.replays.get(key) ?? 0) + 1);
  }

  replayDone(key: string): void {
    const left = (this.replays.get(key) ?? 0) - 1;
    if (left > 0) this.replays.set(key, left);
    else this.replays.delete(key);
  }

  /**
   * True while a drain or a replay runs for the key or its last results are not committed: do not start
   * another.
   */
  isBusy(key: string): boolean {
    return this.isDraining(key) || this.pendingWrites.has(key) || this.replays.has(key);
  }

  /** Replaces the whole set (after a start or a rewind) with the store's parked keys. */
  reset(keys: ReadonlyArray<{ key: string; partition: number }>): void {
    this.keys.clear();
    this.pendingWrites.clear();
    this.replays.clear();
    for (const { key, partition } of keys) this.block(key, partition);
    this.committedSignal.notify();
  }

  get size(): number {
    return this.keys.size;
  }

  list(): string[] {
    return [...this.keys.keys()];
  }
}
