import type { Change } from '@parley/core';
import type { ChangeSignal } from './ChangeHub.ts';
import type { MemoryDatabase } from './MemoryDatabase.ts';
import { atomically } from './Transaction.ts';

/**
 * Writes `change` to `db` atomically and returns what waiters must hear of. With `direct`, outgoing messages go
 * straight into the database's own topic log (the store is the bus's database); otherwise into its outbox.
 * Throws — having written nothing — a `ConcurrencyError` on a lost race, or any error a part of the change
 * raises (a value JSON cannot hold, an unknown topic or a partition outside it in direct mode, a dead letter
 * with an action but no due time).
 *
 * The parts are applied in the SQLite store's order: checkpoints, commands and fired timers first, so that when a
 * message, command or timer is handled twice the conflict reported is the one the caller can act on.
 */
export function commitChange(db: MemoryDatabase, change: Change, direct: boolean): ChangeSignal[] {
  return atomically((tx) => {
    for (const checkpoint of change.checkpoints) db.checkpoints.move(tx, checkpoint);
    for (const command of change.commands) db.commands.record(tx, command);
    for (const timerId of change.firedTimers) db.timers.fire(tx, timerId);
    for (const streamAppend of change.appends) db.events.append(tx, streamAppend);
    for (const document of change.documents) db.documents.write(tx, document);
    for (const { consumer, message } of change.parks) db.parked.park(tx, consumer, message);
    for (const unpark of change.unparks) db.parked.unpark(tx, unpark);
    for (const deadLetter of change.deadLetters) db.deadLetters.put(tx, deadLetter);
    for (const id of change.deadLetterDeletes) db.deadLetters.delete(tx, id);
    let timersAdded = 0;
    for (const timer of change.timers) if (db.timers.add(tx, timer)) timersAdded++;
    for (const state of change.consumerStates) db.consumerStates.set(tx, state);

    const signals: ChangeSignal[] = [];
    if (timersAdded > 0) signals.push({ kind: 'timers' });
    if (change.deadLetters.some((deadLetter) => deadLetter.action !== null))
      signals.push({ kind: 'deadLetters' });
    if (change.consumerStates.length > 0) signals.push({ kind: 'consumerStates' });
    if (change.appends.some((streamAppend) => streamAppend.events.length > 0))
      signals.push({ kind: 'events' });
    if (change.outgoing.length === 0) return signals;
    if (direct) {
      for (const topic of db.log.append(tx, change.outgoing)) signals.push({ kind: 'messages', topic });
      return signals;
    }
    for (const message of change.outgoing) db.outbox.insert(tx, message);
    signals.push({ kind: 'outbox' });
    return signals;
  });
}
