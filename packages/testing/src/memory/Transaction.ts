/**
 * An undo log: every write of a commit goes through it, and a commit that throws undoes them all, newest first,
 * so that it has written nothing. Rows are immutable objects; an update replaces a row (`set`), which keeps
 * the key's place in a `Map`'s order. Only an undone delete moves a key to the end, so tables whose order
 * matters (the outbox) never delete inside a transaction.
 */
export class Transaction {
  private readonly undo: Array<() => void> = [];

  /** Sets `key` in `map`, remembering what was there. */
  set<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (map.has(key)) {
      const old = map.get(key) as V;
      this.undo.push(() => map.set(key, old));
    } else {
      this.undo.push(() => map.delete(key));
    }
    map.set(key, value);
  }

  /** Deletes `key` from `map`; false when it was not there. */
  delete<K, V>(map: Map<K, V>, key: K): boolean {
    if (!map.has(key)) return false;
    const old = map.get(key) as V;
    map.delete(key);
    this.undo.push(() => map.set(key, old));
    return true;
  }

  /** The value of `key` in `map`, created (and removed again on undo) when missing. */
  child<K, V>(map: Map<K, V>, key: K, create: () => V): V {
    let value = map.get(key);
    if (value === undefined) {
      value = create();
      this.set(map, key, value);
    }
    return value;
  }

  /** Adds `value` to `set`; false when it was there. */
  add<T>(set: Set<T>, value: T): boolean {
    if (set.has(value)) return false;
    set.add(value);
    this.undo.push(() => set.delete(value));
    return true;
  }

  /** Appends `row` to `rows`. */
  push<T>(rows: T[], row: T): void {
    rows.push(row);
    this.undo.push(() => rows.pop());
  }

  /** Runs `step` if the transaction is undone (to restore a counter, say). */
  onUndo(step: () => void): void {
    this.undo.push(step);
  }

  /** Undoes every write, newest first. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo.length = 0;
  }
}

/** Runs `work` in a transaction: when it throws, everything it wrote is undone and the error rethrown. */
export function atomically<T>(work: (tx: Transaction) => T): T {
  const tx = new Transaction();
  try {
    return work(tx);
  } catch (error) {
    tx.rollback();
    throw error;
  }
}

/** A counter (the next position, the next seq) whose increments a transaction undoes. */
export class Sequence {
  private last = 0;

  next(tx: Transaction): number {
    const before = this.last;
    tx.onUndo(() => (this.last = before));
    return ++this.last;
  }
}
