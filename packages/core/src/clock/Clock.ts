/**
 * Time and chance as the runtime sees them: the time now, timers, and the random numbers behind backoff jitter and
 * fresh ids. Everything the runtime waits for or draws at random goes through one, so a simulation that substitutes
 * a virtual, seeded clock replays a run exactly.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fire` once after `ms` milliseconds; the returned function cancels it if it has not fired yet. */
  after(ms: number, fire: () => void): () => void;
  /** A random number in [0, 1). */
  random(): number;
}

/** Builds {@link Clock.sleep} on a clock's {@link Clock.after}. */
export function sleepWith(after: Clock['after'], ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason as Error);
    };
    const cancel = after(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function after(ms: number, fire: () => void): () => void {
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
}

/** The wall clock, Node's timers and `Math.random`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepWith(after, ms, signal),
  after,
  random: () => Math.random(),
};
