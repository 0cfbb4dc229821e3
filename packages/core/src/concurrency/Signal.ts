/**
 * A wake-up flag for loops: `wait()` resolves at the next `notify()` (or at once if one happened since the last
 * wait), after `timeoutMs`, or when `signal` aborts. Never rejects.
 */
export class Signal {
  private notified = false;
  private waiters: Array<() => void> = [];

  notify(): void {
    this.notified = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  wait(timeoutMs?: number, signal?: AbortSignal): Promise<void> {
    if (this.notified || signal?.aborted) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.notified = false;
        resolve();
      };
      this.waiters.push(done);
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
