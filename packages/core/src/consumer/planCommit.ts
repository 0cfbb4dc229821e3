import type { Change, CheckpointWrite } from '../ports/Change.ts';
import { mergePartList } from './ChangeParts.ts';
import type { ReadyUnit } from './MessageProcessor.ts';
import type { PartitionProgress } from './PartitionProgress.ts';

/** One group commit: the change to write, and what to confirm or revert in the partitions afterwards. */
export interface CommitPlan {
  readonly change: Change;
  /** Source positions the batch completes, by partition. */
  readonly positions: Map<number, number[]>;
  /** The checkpoint write planned for each partition (undefined: it does not move). */
  readonly writes: Map<number, CheckpointWrite | undefined>;
}

/**
 * Turns finished units into one change: their effects in completion order, plus one checkpoint write per
 * partition they complete positions in. Marks those positions as committing in their partitions.
 */
export function planCommit(
  batch: ReadonlyArray<ReadyUnit>,
  partitions: ReadonlyArray<PartitionProgress | undefined>,
  consumer: string,
  source: string,
): CommitPlan {
  const positions = new Map<number, number[]>();
  for (const ready of batch) {
    if (ready.at === undefined) continue;
    let list = positions.get(ready.at.partition);
    if (list === undefined) positions.set(ready.at.partition, (list = []));
    list.push(ready.at.position);
  }
  const writes = new Map<number, CheckpointWrite | undefined>();
  const checkpoints: CheckpointWrite[] = [];
  for (const [partition, list] of positions) {
    const write = partitions[partition]?.plan(consumer, source, list);
    writes.set(partition, write);
    if (write !== undefined) checkpoints.push(write);
  }
  const parts = mergePartList(batch.map((ready) => ready.parts));
  const change: Change = {
    appends: parts.appends ?? [],
    commands: parts.commands ?? [],
    outgoing: parts.outgoing ?? [],
    documents: parts.documents ?? [],
    checkpoints,
    parks: parts.parks ?? [],
    unparks: parts.unparks ?? [],
    deadLetters: parts.deadLetters ?? [],
    deadLetterDeletes: parts.deadLetterDeletes ?? [],
    timers: parts.timers ?? [],
    firedTimers: parts.firedTimers ?? [],
    consumerStates: parts.consumerStates ?? [],
  };
  return { change, positions, writes };
}
