import { sleepWith, type Clock } from '@parley/core';
import type { SeededRandom } from './SeededRandom.ts';
import { TimerQueue, type VirtualTimer } from './TimerQueue.ts';

/** The first instant of every simulation: runs of one seed see the same times. */
export const SIMULATION_EPOCH = Date.UTC(2030, 0, 1);

/**
 * Virtual time for a simulation: nothing moves until the scheduler fires the next timer, and then time jumps to it.
 * Timers due at the same instant fire in an order drawn from the seed. Each simulated process gets a view of its
 * own ({@link VirtualClock.forProcess}), whose timers die with the process.
 */
export class VirtualClock implements Clock {
  private time = SIMULATION_EPOCH;
  /** Added to what `now()` answers: a jump of the wall clock, which timers (monotonic) do not see. */
  private skew = 0;
  private seq = 0;
  private readonly timers = new TimerQueue();
  /** Extra delay for a timer of `ms` (late timers); 0 when on time. */
  lateness: (ms: number) => number = () => 0;

  constructor(private readonly chance: SeededRandom) {}

  now(): number {
    return this.time + this.skew;
  }

  /** Milliseconds of virtual time since the simulation began. */
  get elapsed(): number {
    return this.time - SIMULATION_EPOCH;
  }

  get pending(): number {
    return this.timers.size;
  }

  random(): number {
    return this.chance.next();
  }

  after(ms: number, fire: () => void): () => void {
    const timer = this.schedule(ms, fire, undefined);
    return () => {
      timer.dead = true;
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith((delay, fire) => this.after(delay, fire), ms, signal);
  }

  /** The wall clock jumps by `ms` (forward, or back when negative); timers keep their due times. */
  jump(ms: number): void {
    this.skew += ms;
  }

  /** Moves time to the earliest timer and fires it. False when no timer is left. */
  step(): boolean {
    const timer = this.timers.pop();
    if (timer === undefined) return false;
    this.time = Math.max(this.time, timer.due);
    timer.fire();
    return true;
  }

  /** When the next timer is due (virtual ms since the epoch), if any. */
  nextDue(): number | undefined {
    const timer = this.timers.pop();
    if (timer === undefined) return undefined;
    this.timers.push(timer);
    return timer.due;
  }

  /** A view for one process: the same time, but its timers die (never fire) once `kill()` is called. */
  forProcess(): ProcessClock {
    return new ProcessClock(this);
  }

  /** @internal */
  schedule(ms: number, fire: () => void, owner: ProcessClock | undefined): VirtualTimer {
    // Whole milliseconds, as Date.now() answers: fresh ids refuse fractional times.
    const delay = Math.max(0, Number.isFinite(ms) ? Math.ceil(ms) : 0);
    const timer: VirtualTimer = {
      due: this.time + delay + this.lateness(delay),
      order: this.chance.next(),
      seq: this.seq++,
      fire: owner === undefined ? fire : () => (owner.alive ? fire() : undefined),
      dead: false,
    };
    this.timers.push(timer);
    return timer;
  }
}

/** One process's view of the {@link VirtualClock}. */
export class ProcessClock implements Clock {
  alive = true;

  constructor(private readonly world: VirtualClock) {}

  now(): number {
    return this.world.now();
  }

  random(): number {
    return this.world.random();
  }

  after(ms: number, fire: () => void): () => void {
    if (!this.alive) return () => {};
    const timer = this.world.schedule(ms, fire, this);
    return () => {
      timer.dead = true;
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith((delay, fire) => this.after(delay, fire), ms, signal);
  }

  /** The process died: its timers never fire, its sleeps never end. */
  kill(): void {
    this.alive = false;
  }
}
