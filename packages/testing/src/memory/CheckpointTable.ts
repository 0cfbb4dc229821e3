import { ConcurrencyError, type CheckpointWrite, type CursorPartition } from '@parley/core';
import { compareText } from './compareText.ts';
import type { Transaction } from './Transaction.ts';

interface Checkpoint {
  readonly position: number;
  readonly version: number;
}

interface Cursor {
  readonly consumer: string;
  readonly source: string;
  /** partition → checkpoint */
  readonly checkpoints: Map<number, Checkpoint>;
  /** partition → positions above the checkpoint that are done too */
  readonly done: Map<number, Set<number>>;
}

/** Consumers' checkpoints per partition of a source, fenced by version, and the positions done above them. */
export class CheckpointTable {
  /** `[consumer, source]` as JSON → cursor */
  private readonly cursors = new Map<string, Cursor>();

  /**
   * Moves a checkpoint if its version is still `expectedVersion` (0: there is none yet), else throws a
   * `checkpoint` conflict. Forgets done marks at or below the new position and adds those above it.
   */
  move(tx: Transaction, write: CheckpointWrite): void {
    const { consumer, source, partition, position, expectedVersion } = write;
    const cursor = tx.child(this.cursors, JSON.stringify([consumer, source]), () => ({
      consumer,
      source,
      checkpoints: new Map<number, Checkpoint>(),
      done: new Map<number, Set<number>>(),
    }));
    const version = cursor.checkpoints.get(partition)?.version ?? 0;
    if (version !== expectedVersion) {
      throw new ConcurrencyError({ kind: 'checkpoint', consumer, source, partition, expectedVersion });
    }
    tx.set(cursor.checkpoints, partition, { position, version: version + 1 });
    const previous = cursor.done.get(partition) ?? new Set<number>();
    const done = new Set([...previous].filter((marked) => marked > position));
    for (const marked of write.doneAbove) if (marked > position) done.add(marked);
    if (done.size > 0) tx.set(cursor.done, partition, done);
    else tx.delete(cursor.done, partition);
  }

  /** One entry per partition with a checkpoint, by partition. */
  load(consumer: string, source: string): CursorPartition[] {
    const cursor = this.cursors.get(JSON.stringify([consumer, source]));
    if (cursor === undefined) return [];
    return [...cursor.checkpoints]
      .sort(([a], [b]) => a - b)
      .map(([partition, { position, version }]) => ({
        partition,
        position,
        version,
        doneAbove: [...(cursor.done.get(partition) ?? [])].sort((a, b) => a - b),
      }));
  }

  /** Every checkpoint, by consumer, source and partition. */
  list(): Array<{ consumer: string; source: string; partition: number; position: number }> {
    return [...this.cursors.values()]
      .sort((a, b) => compareText(a.consumer, b.consumer) || compareText(a.source, b.source))
      .flatMap(({ consumer, source, checkpoints }) =>
        [...checkpoints]
          .sort(([a], [b]) => a - b)
          .map(([partition, { position }]) => ({ consumer, source, partition, position })),
      );
  }
}
