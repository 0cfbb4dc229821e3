import type { DeadLetter } from '../ports/DeadLetter.ts';
import type { ParkedMessage } from '../ports/ParkedMessage.ts';
import type { Store } from '../ports/Store.ts';
import type { ItemOutcome, LaneItem } from './MessageProcessor.ts';
import type { ParkedKeys } from './ParkedKeys.ts';

const BATCH = 64;

/** What draining one parked key needs from its consumer. */
export interface DrainHost {
  readonly consumer: string;
  readonly source: string;
  readonly store: Store;
  readonly parked: ParkedKeys;
  /** The most one read of the queue may bring, in bytes of stored message (the first always comes). */
  readonly maxBytes: number;
  /** Aborts when the consumer stops. */
  readonly signal: AbortSignal;
  /** Handles one item in the key's lane. */
  process(item: LaneItem & { kind: 'parked' }): Promise<ItemOutcome>;
  /** Waits while the consumer is paused; false once this drain is void (the consumer rewound or stops). */
  live(): Promise<boolean>;
}

/**
 * Handles a parked key's queue in order: the head first (a retry, a redrive or a drop), then each message behind
 * it. Stops at the first message that fails again (it becomes the new head). Frees the key once the queue is
 * empty and no park of it is still on its way to the store.
 *
 * A `replay` head (a redriven message that was escalated or skipped) is in no queue: the key is parked behind
 * another head, whose queue it must not touch. It is handled on its own and the key stays as it was.
 */
export async function drainParkedKey(
  host: DrainHost,
  key: string,
  head: DeadLetter | undefined,
): Promise<void> {
  let after = 0;
  if (head?.action === 'replay') {
    await host.process({ kind: 'parked', message: head.message, deadLetter: head });
    return;
  }
  if (head !== undefined) {
    if ((await host.process({ kind: 'parked', message: head.message, deadLetter: head })) !== 'done') return;
    after = head.message.position;
  }
  const read = (): Promise<ParkedMessage[]> =>
    host.store.readParked(host.consumer, host.source, key, after, BATCH, host.maxBytes);
  while (await host.live()) {
    let rows = await read();
    if (rows.length === 0) {
      await host.parked.settled(key, host.signal);
      rows = await read();
      if (rows.length === 0) {
        if (!(await host.live())) return;
        // A message of the key may have parked while the queue was read: free the key only when none is on
        // its way, in the same turn, or that message would be left in a queue nobody drains.
        if (host.parked.hasPendingParks(key)) continue;
        host.parked.unblock(key);
        return;
      }
    }
    for (const message of rows) {
      if (!(await host.live())) return;
      if ((await host.process({ kind: 'parked', message, deadLetter: undefined })) !== 'done') return;
      after = message.position;
    }
  }
}
