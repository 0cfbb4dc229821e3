/** A timer of the virtual clock: fires at `due`; timers due at once fire in `order` (drawn from the seed). */
export interface VirtualTimer {
  readonly due: number;
  readonly order: number;
  readonly seq: number;
  readonly fire: () => void;
  /** Cancelled, or owned by a process that crashed: skipped when its turn comes. */
  dead: boolean;
}

function before(a: VirtualTimer, b: VirtualTimer): boolean {
  if (a.due !== b.due) return a.due < b.due;
  if (a.order !== b.order) return a.order < b.order;
  return a.seq < b.seq;
}

/** The virtual clock's pending timers, earliest first: a binary heap. */
export class TimerQueue {
  private readonly heap: VirtualTimer[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(timer: VirtualTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Removes and returns the earliest live timer, dropping dead ones on the way. */
  pop(): VirtualTimer | undefined {
    for (;;) {
      const top = this.take();
      if (top === undefined || !top.dead) return top;
    }
  }

  private take(): VirtualTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
      if (least === i) return top;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }
}
