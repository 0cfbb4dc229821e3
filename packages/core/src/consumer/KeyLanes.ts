import type { LaneItem } from './MessageProcessor.ts';

/** The messages of one key waiting to be handled, in order. */
export interface Lane {
  readonly key: string;
  readonly epoch: number;
  readonly queue: LaneItem[];
  active: boolean;
  waiting: boolean;
}

/**
 * One lane per key, at most `concurrency` of them running at once; a lane with work and no free slot waits its
 * turn (first come, first served). The runner handles a lane's queue and returns; the lane is then freed or,
 * if more arrived meanwhile, queued again.
 */
export class KeyLanes {
  private lanes = new Map<string, Lane>();
  private waiting: Lane[] = [];
  private running = 0;

  constructor(
    private readonly concurrency: number,
    private readonly run: (lane: Lane) => Promise<void>,
    private readonly onIdle: () => void,
  ) {}

  /** Lanes handling a message right now. */
  get active(): number {
    return this.running;
  }

  push(key: string, item: LaneItem, epoch: number): void {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { key, epoch, queue: [], active: false, waiting: false };
      this.lanes.set(key, lane);
    }
    lane.queue.push(item);
    if (lane.active || lane.waiting) return;
    if (this.running < this.concurrency) this.start(lane);
    else this.enqueue(lane);
  }

  /** Drops every message not yet started (shutdown): running lanes finish their current one. */
  dropQueued(): void {
    for (const lane of this.lanes.values()) lane.queue.length = 0;
    for (const lane of this.waiting) lane.waiting = false;
    this.waiting = [];
  }

  /** Forgets every lane (a rewind): runners still going belong to an old epoch and stop on their own. */
  reset(): void {
    this.lanes = new Map();
    this.waiting = [];
    this.running = 0;
  }

  private enqueue(lane: Lane): void {
    lane.waiting = true;
    this.waiting.push(lane);
  }

  private start(lane: Lane): void {
    lane.active = true;
    this.running++;
    void this.run(lane).finally(() => this.finished(lane));
  }

  private finished(lane: Lane): void {
    if (this.lanes.get(lane.key) !== lane) {
      // A lane of a previous epoch: its slot was already reset.
      if (this.running === 0) this.onIdle();
      return;
    }
    lane.active = false;
    this.running--;
    if (lane.queue.length === 0) this.lanes.delete(lane.key);
    else this.enqueue(lane);
    const next = this.waiting.shift();
    if (next !== undefined) {
      next.waiting = false;
      this.start(next);
    }
    if (this.running === 0) this.onIdle();
  }

  /** Stops starting new lanes (shutdown): waiting ones are dropped. */
  close(): void {
    this.dropQueued();
  }
}
