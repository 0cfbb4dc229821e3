/**
 * Child abort signals of one parent: each child aborts with the parent, and is released when its user is done.
 * The parent carries a single listener however many children exist at once, so handlers that each listen to
 * their own signal never pile listeners onto a shared one.
 */
export class SignalFanout {
  private readonly children = new Set<AbortController>();

  constructor(private readonly parent: AbortSignal) {
    parent.addEventListener(
      'abort',
      () => {
        for (const child of this.children) child.abort(parent.reason);
        this.children.clear();
      },
      { once: true },
    );
  }

  /** Aborts every child made so far (the work they serve is dropped); children made afterwards are fresh. */
  abortChildren(reason: unknown): void {
    for (const child of this.children) child.abort(reason);
    this.children.clear();
  }

  child(): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    if (this.parent.aborted) controller.abort(this.parent.reason);
    else this.children.add(controller);
    return { signal: controller.signal, release: () => this.children.delete(controller) };
  }
}
