/**
 * Abort signals for the rounds of a loop: each round gets its own signal, aborted when the round ends or when the
 * loop's parent signal aborts. One listener on the parent serves every round, so a long-running loop does not pile
 * listeners onto it (as `AbortSignal.any` per round would).
 */
const ROUND_OVER = 'round over';

export class RoundSignals {
  private current: AbortController | undefined;

  constructor(private readonly parent: AbortSignal) {
    parent.addEventListener('abort', () => this.current?.abort(parent.reason), { once: true });
  }

  /** Starts a round; call `end()` on the result when the round is over. */
  next(): { signal: AbortSignal; end(): void } {
    const controller = new AbortController();
    if (this.parent.aborted) controller.abort(this.parent.reason);
    this.current = controller;
    return { signal: controller.signal, end: () => controller.abort(ROUND_OVER) };
  }
}
