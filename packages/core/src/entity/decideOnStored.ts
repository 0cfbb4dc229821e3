import { decideCommand, type DecideInput, type Decided } from './decideCommand.ts';
import type { AnyEntity } from './defineEntity.ts';
import type { Snapshot } from './EntityCache.ts';

/** What a command was decided on, and the decision. */
export interface OnStored {
  readonly before: Snapshot;
  readonly decided: Decided;
}

/**
 * Decides a command on `before` (a cached snapshot, perhaps stale). An acceptance is safe to decide on it: its
 * append expects `before.version`, so the commit fails if the stream moved. A rejection appends nothing, so no
 * version check would catch a stale snapshot: it is decided again on what `reload` finds in the store.
 */
export function decideOnStored(
  entity: AnyEntity,
  before: Snapshot,
  command: { type: string; data: unknown },
  input: DecideInput,
  reload: () => Snapshot | Promise<Snapshot>,
): OnStored | Promise<OnStored> {
  const decided = decideCommand(entity, before, command, input);
  // An acceptance comes back at once, with no promise made: the usual case.
  if (decided.status === 'accepted') return { before, decided };
  return (async () => {
    const fresh = await reload();
    if (fresh.version === before.version) return { before, decided };
    return { before: fresh, decided: decideCommand(entity, fresh, command, input) };
  })();
}
