import type { VirtualClock } from './VirtualClock.ts';

/** Lets every promise that can settle now settle: a macrotask, after the microtasks before it. */
export const settleMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Resolves as `work` does, moving `clock` forward timer by timer while it is pending: what would take minutes of
 * sleeps and timeouts takes as long as the code runs.
 *
 * @throws Error when no timer is left and `work` is still pending (it waits for something outside virtual time)
 */
export async function runInVirtualTime<T>(clock: VirtualClock, work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  settled.catch(() => {});
  for (;;) {
    await settleMicrotasks();
    if (done) return work;
    if (!clock.step()) {
      await settleMicrotasks();
      if (done) return work;
      throw new Error('nothing is left to happen in virtual time, and the work has not finished');
    }
  }
}
