import { checkLimit } from '@parley/sql';
import type Database from 'better-sqlite3';
import type { OutgoingMessage, TimerRecord } from '@parley/core';

/** The timer reads of `Store`, synchronous. */
export interface TimerReads {
  due(now: number, limit: number): TimerRecord[];
  next(): number | undefined;
}

/** Prepares the statements once for `db`. */
export function prepareTimerReads(db: Database.Database): TimerReads {
  const selectDue = db.prepare<[number, number], { id: string; due_at: number; message: string }>(
    'SELECT id, due_at, message FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?',
  );
  const selectNext = db.prepare<[], number | null>('SELECT min(due_at) FROM timers').pluck();

  return {
    due: (now, limit) =>
      selectDue.all(now, checkLimit(limit, 'dueTimers')).map((row) => ({
        id: row.id,
        dueAt: row.due_at,
        message: JSON.parse(row.message) as OutgoingMessage,
      })),

    next: () => selectNext.get() ?? undefined,
  };
}
