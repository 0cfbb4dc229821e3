import { toJsonText, toDueAt, DEAD_LETTER_COLUMNS, toDeadLetterRow, type DeadLetterRow } from '@parley/sql';
import type Database from 'better-sqlite3';
import { ConcurrencyError, type Change } from '@parley/core';
import type { ChangeSignal } from './changeNotifier.ts';

/** The failure-handling part of a commit: parked queues, dead letters, timers and consumer states. */
export interface FailureWrites {
  /** Deletes fired timers; throws a `timer` conflict for one that is already gone. */
  fireTimers(ids: ReadonlyArray<string>): void;
  /** Writes everything else and returns what waiters must hear of. */
  write(change: Change): ChangeSignal[];
}

type CounterName = 'timers' | 'dead_letters' | 'consumer_states';

/**
 * Prepares the statements once for `db`. Both functions must run inside the commit's transaction, which undoes
 * them when anything later in the change fails.
 */
export function prepareFailureWrites(db: Database.Database): FailureWrites {
  const insertParked = db.prepare<[string, string, string, number, number, string]>(
    `INSERT INTO parked (consumer, source, key, position, partition, message) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (consumer, source, key, position) DO NOTHING`,
  );
  const deleteParked = db.prepare<[string, string, string, number]>(
    'DELETE FROM parked WHERE consumer = ? AND source = ? AND key = ? AND position = ?',
  );
  // The whole record replaces the row (an upsert, unlike INSERT OR REPLACE, applies only to the id).
  const upsertDeadLetter = db.prepare<[DeadLetterRow]>(
    `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS.join(', ')})
     VALUES (${DEAD_LETTER_COLUMNS.map((column) => `@${column}`).join(', ')})
     ON CONFLICT (id) DO UPDATE SET ${DEAD_LETTER_COLUMNS.filter((column) => column !== 'id')
       .map((column) => `${column} = excluded.${column}`)
       .join(', ')}`,
  );
  const deleteDeadLetter = db.prepare<[string]>('DELETE FROM dead_letters WHERE id = ?');
  const insertTimer = db.prepare<[string, number, string]>(
    'INSERT INTO timers (id, due_at, message) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const deleteTimer = db.prepare<[string]>('DELETE FROM timers WHERE id = ?');
  const upsertConsumerState = db.prepare<[string, number, string | null, string]>(
    `INSERT INTO consumer_states (consumer, paused, reason, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (consumer) DO UPDATE SET
       paused = excluded.paused, reason = excluded.reason, updated_at = excluded.updated_at`,
  );
  const bumpCounter = db.prepare<[CounterName]>(
    `INSERT INTO change_counters (name, value) VALUES (?, 1)
     ON CONFLICT (name) DO UPDATE SET value = value + 1`,
  );

  /** Tells waiters here (the signal) and on other connections (the counter). */
  function signal(signals: ChangeSignal[], table: CounterName): void {
    bumpCounter.run(table);
    signals.push({ table });
  }

  return {
    fireTimers(ids) {
      for (const timerId of ids) {
        if (deleteTimer.run(timerId).changes === 0) throw new ConcurrencyError({ kind: 'timer', timerId });
      }
    },

    write(change) {
      for (const { consumer, message } of change.parks) {
        insertParked.run(
          consumer,
          message.source,
          message.key,
          message.position,
          message.partition,
          toJsonText(message, () => `parked message ${message.id}`),
        );
      }
      for (const { consumer, source, key, position } of change.unparks) {
        deleteParked.run(consumer, source, key, position);
      }
      for (const deadLetter of change.deadLetters) upsertDeadLetter.run(toDeadLetterRow(deadLetter));
      for (const id of change.deadLetterDeletes) deleteDeadLetter.run(id);

      let timersAdded = 0;
      for (const { id, dueAt, message } of change.timers) {
        const { changes } = insertTimer.run(
          id,
          toDueAt(dueAt, `timer ${id}`),
          toJsonText(message, () => `timer ${id} message`),
        );
        timersAdded += changes;
      }
      for (const { consumer, paused, reason, updatedAt } of change.consumerStates) {
        upsertConsumerState.run(consumer, paused ? 1 : 0, reason, updatedAt);
      }

      const signals: ChangeSignal[] = [];
      if (timersAdded > 0) signal(signals, 'timers');
      if (change.deadLetters.some((deadLetter) => deadLetter.action !== null))
        signal(signals, 'dead_letters');
      if (change.consumerStates.length > 0) signal(signals, 'consumer_states');
      return signals;
    },
  };
}
