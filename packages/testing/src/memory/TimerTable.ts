import { ConcurrencyError, type OutgoingMessage, type TimerRecord } from '@parley/core';
import { checkLimit } from './checkLimit.ts';
import { compareText } from './compareText.ts';
import { toDueAt } from './toDueAt.ts';
import { toJsonText } from './toJsonText.ts';
import type { Transaction } from './Transaction.ts';

interface TimerRow {
  readonly dueAt: number;
  /** JSON text of the message. */
  readonly message: string;
}

/** Durable timers by id. */
export class TimerTable {
  private readonly timers = new Map<string, TimerRow>();

  /** Creates a timer (its due time rounded up to a whole ms); false when the id exists, which is left as it is. */
  add(tx: Transaction, { id, dueAt, message }: TimerRecord): boolean {
    const row = { dueAt: toDueAt(dueAt, `timer ${id}`), message: toJsonText(message, `timer ${id} message`) };
    if (this.timers.has(id)) return false;
    tx.set(this.timers, id, row);
    return true;
  }

  /** Deletes a fired timer; a `timer` conflict when it is already gone. */
  fire(tx: Transaction, timerId: string): void {
    if (!tx.delete(this.timers, timerId)) throw new ConcurrencyError({ kind: 'timer', timerId });
  }

  /** Up to `limit` timers due at or before `now`, by due time and id. */
  due(now: number, limit: number): TimerRecord[] {
    checkLimit(limit, 'dueTimers');
    return [...this.timers]
      .filter(([, row]) => row.dueAt <= now)
      .sort(([a, x], [b, y]) => x.dueAt - y.dueAt || compareText(a, b))
      .slice(0, limit)
      .map(([id, row]) => ({ id, dueAt: row.dueAt, message: JSON.parse(row.message) as OutgoingMessage }));
  }

  next(): number | undefined {
    let earliest: number | undefined;
    for (const { dueAt } of this.timers.values())
      if (earliest === undefined || dueAt < earliest) earliest = dueAt;
    return earliest;
  }
}
