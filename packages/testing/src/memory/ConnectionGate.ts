/**
 * The open-or-closed state of one connection. Calls run synchronously on the shared data and resolve with the
 * result, a throw becoming a rejection: a port method never throws synchronously. After `close`, calls reject.
 */
export class ConnectionGate {
  private readonly closing = new AbortController();

  /** `what` names the connection in the error after close, e.g. `store memory:default`. */
  constructor(private readonly what: string) {}

  /** Aborts when the connection closes: waiters registered through it wake. */
  get signal(): AbortSignal {
    return this.closing.signal;
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  call<T>(work: () => T): Promise<T> {
    return new Promise((resolve) => {
      if (this.closing.signal.aborted) throw new Error(`${this.what} is closed`);
      resolve(work());
    });
  }

  /** Closes; false when it was closed already. */
  close(): boolean {
    if (this.closing.signal.aborted) return false;
    this.closing.abort();
    return true;
  }
}
