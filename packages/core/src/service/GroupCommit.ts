import { mergeParts } from '../consumer/ChangeParts.ts';
import { emptyChange, type Change } from '../ports/Change.ts';

interface Pending {
  readonly change: Change;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Changes per merged commit: large enough to amortise a commit, small enough to keep one transaction short. */
const MAX_GROUP = 256;

/**
 * Group commit for a service's direct writes (`execute`). A change committed while no other is under way goes to
 * the store at once, alone; changes that arrive while one is under way wait for it and then go together, in
 * arrival order, as one commit. Under load many commands then share one transaction (one WAL flush, one
 * position lock) instead of queueing for a commit each; with one writer nothing changes.
 *
 * A merged commit is all or nothing, so when it fails — a conflict or any error of one of its changes — each of
 * its changes is committed again alone, in order, and only those that fail alone report their error. Changes
 * must not depend on one another (the service holds each stream's lock until its change is committed, so two
 * pending changes never append to the same stream) and must not move checkpoints.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private running = false;

  constructor(private readonly store: { commit(change: Change): Promise<void> }) {}

  commit(change: Change): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) await this.commitGroup(this.queue.splice(0, MAX_GROUP));
    } finally {
      this.running = false;
    }
  }

  private async commitGroup(group: ReadonlyArray<Pending>): Promise<void> {
    if (group.length > 1) {
      const merged: Change = { ...emptyChange, ...mergeParts(...group.map((pending) => pending.change)) };
      try {
        await this.store.commit(merged);
        for (const pending of group) pending.resolve();
        return;
      } catch {
        // Someone's change failed the whole group: find out whose, one at a time.
      }
    }
    for (const pending of group) {
      try {
        await this.store.commit(pending.change);
        pending.resolve();
      } catch (error) {
        pending.reject(error);
      }
    }
  }
}
