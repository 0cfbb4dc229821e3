import type { CheckpointWrite } from '../ports/Change.ts';
import type { CursorPartition } from '../ports/Store.ts';

const PENDING = 0;
const READY = 1;
const COMMITTING = 2;
const COMMITTED = 3;
type Status = typeof PENDING | typeof READY | typeof COMMITTING | typeof COMMITTED;

/**
 * A consumer's bookkeeping for one partition: which fetched positions are done, and how far the checkpoint may
 * move. The checkpoint only passes a position once every position before it is done; positions done out of
 * order (their key was free while an earlier key was busy) are committed as marks above the checkpoint, so a
 * restart skips them.
 */
export class PartitionProgress {
  checkpoint: number;
  version: number;
  /** Highest position fetched so far. */
  fetchedTo: number;
  private order: number[] = [];
  private head = 0;
  private readonly status = new Map<number, Status>();
  private readonly doneBefore: Set<number>;

  constructor(
    readonly partition: number,
    cursor: CursorPartition | undefined,
  ) {
    this.checkpoint = cursor?.position ?? 0;
    this.version = cursor?.version ?? 0;
    this.fetchedTo = this.checkpoint;
    this.doneBefore = new Set(cursor?.doneAbove ?? []);
  }

  /** Registers a fetched position; returns false when it was already done before a restart. */
  track(position: number): boolean {
    this.fetchedTo = Math.max(this.fetchedTo, position);
    this.order.push(position);
    if (this.doneBefore.delete(position)) {
      this.status.set(position, COMMITTED);
      return false;
    }
    this.status.set(position, PENDING);
    return true;
  }

  ready(position: number): void {
    this.status.set(position, READY);
  }

  /** Number of fetched positions not yet behind the checkpoint. */
  get inFlight(): number {
    return this.order.length - this.head;
  }

  /**
   * Marks `positions` as being committed and returns the checkpoint write that covers them, or undefined when
   * nothing changes for this partition.
   */
  plan(consumer: string, source: string, positions: ReadonlyArray<number>): CheckpointWrite | undefined {
    for (const position of positions) this.status.set(position, COMMITTING);
    let next = this.checkpoint;
    for (let i = this.head; i < this.order.length; i++) {
      const position = this.order[i] as number;
      const status = this.status.get(position);
      if (status !== COMMITTING && status !== COMMITTED) break;
      next = position;
    }
    const doneAbove = positions.filter((position) => position > next);
    if (next === this.checkpoint && doneAbove.length === 0) return undefined;
    return {
      consumer,
      source,
      partition: this.partition,
      position: next,
      expectedVersion: this.version,
      doneAbove,
    };
  }

  /** The planned write was committed. */
  confirm(write: CheckpointWrite | undefined, positions: ReadonlyArray<number>): void {
    for (const position of positions) this.status.set(position, COMMITTED);
    if (write === undefined) return;
    this.version = write.expectedVersion + 1;
    this.checkpoint = write.position;
    while (this.head < this.order.length && (this.order[this.head] as number) <= this.checkpoint) {
      this.status.delete(this.order[this.head] as number);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** The planned write failed: the positions are ready again. */
  revert(positions: ReadonlyArray<number>): void {
    for (const position of positions) this.status.set(position, READY);
  }
}
