import type {
  DeadLetter,
  DeadLetterAction,
  DeadLetterEdit,
  DeadLetterFilter,
  DeadLetterReason,
  DeadLetterStatus,
  ErrorRecord,
  ParkedMessage,
} from '@parley/core';
import { checkLimit } from './checkLimit.ts';
import { compareText } from './compareText.ts';
import { toDueAt } from './toDueAt.ts';
import { toJsonText } from './toJsonText.ts';
import type { Transaction } from './Transaction.ts';

/** A dead letter as the table keeps it: the message's filter fields apart, message, error and edits as JSON text. */
interface DeadLetterRow {
  readonly id: string;
  readonly consumer: string;
  readonly source: string;
  readonly key: string;
  readonly type: string;
  readonly status: DeadLetterStatus;
  readonly reason: DeadLetterReason;
  readonly attempts: number;
  readonly error: string;
  /** Parsed once, for the `error` filter. */
  readonly errorName: unknown;
  readonly errorMessage: unknown;
  readonly message: string;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly action: DeadLetterAction | null;
  readonly dueAt: number | null;
  readonly edits: string;
  readonly version: number;
  readonly updatedAt: string;
}

type Condition = (row: DeadLetterRow) => boolean;

/**
 * Failed messages and their history. Filters mean what they mean in the SQL stores: `error` is a substring of the
 * error's name or message, ignoring the case of ASCII letters (SQL `LIKE`); `since` and `until` compare the
 * ISO-8601 text and include the bound; results are by id, in byte order.
 */
export class DeadLetterTable {
  private readonly rows = new Map<string, DeadLetterRow>();

  /**
   * Inserts or replaces a dead letter (a fractional `dueAt` rounded up). Throws on an action without a due time:
   * it would never come due, and its key would stay blocked.
   */
  put(tx: Transaction, deadLetter: DeadLetter): void {
    tx.set(this.rows, deadLetter.id, toRow(deadLetter));
  }

  delete(tx: Transaction, id: string): void {
    tx.delete(this.rows, id);
  }

  get(id: string): DeadLetter | undefined {
    const row = this.rows.get(id);
    return row === undefined ? undefined : toDeadLetter(row);
  }

  list(filter: DeadLetterFilter = {}): DeadLetter[] {
    const conditions = conditionsOf(filter);
    const limit = checkLimit(filter.limit ?? 100, 'listDeadLetters');
    return [...this.rows.values()]
      .filter((row) => conditions.every((condition) => condition(row)))
      .sort((a, b) => compareText(a.id, b.id))
      .slice(0, limit)
      .map(toDeadLetter);
  }

  /** Those of a consumer in `source` with an action due at or before `now`, by due time and id. */
  due(consumer: string, source: string, now: number, limit: number): DeadLetter[] {
    checkLimit(limit, 'dueDeadLetters');
    return [...this.rows.values()]
      .filter(
        (row) =>
          row.consumer === consumer &&
          row.source === source &&
          row.action !== null &&
          row.dueAt !== null &&
          row.dueAt <= now,
      )
      .sort((a, b) => a.dueAt! - b.dueAt! || compareText(a.id, b.id))
      .slice(0, limit)
      .map(toDeadLetter);
  }

  /** The earliest due time of a consumer's dead letters with an action in `source`. */
  next(consumer: string, source: string): number | undefined {
    let earliest: number | undefined;
    for (const row of this.rows.values()) {
      if (row.consumer !== consumer || row.source !== source || row.action === null || row.dueAt === null)
        continue;
      if (earliest === undefined || row.dueAt < earliest) earliest = row.dueAt;
    }
    return earliest;
  }
}

function conditionsOf(filter: DeadLetterFilter): Condition[] {
  const conditions: Condition[] = [];
  const { consumer, type, key, status, reason, error, since, until, after } = filter;
  if (consumer !== undefined) conditions.push((row) => row.consumer === consumer);
  if (type !== undefined) conditions.push((row) => row.type === type);
  if (key !== undefined) conditions.push((row) => row.key === key);
  if (status !== undefined) {
    const statuses = new Set<string>(typeof status === 'string' ? [status] : status);
    conditions.push((row) => statuses.has(row.status));
  }
  if (reason !== undefined) conditions.push((row) => row.reason === reason);
  if (error !== undefined) {
    const wanted = asciiLowerCase(error);
    const has = (text: unknown) => typeof text === 'string' && asciiLowerCase(text).includes(wanted);
    conditions.push((row) => has(row.errorName) || has(row.errorMessage));
  }
  if (since !== undefined) conditions.push((row) => compareText(row.lastFailedAt, since) >= 0);
  if (until !== undefined) conditions.push((row) => compareText(row.lastFailedAt, until) <= 0);
  if (after !== undefined) conditions.push((row) => compareText(row.id, after) > 0);
  return conditions;
}

/** Lower case for ASCII letters only, as SQLite's LIKE folds case. */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

function toRow(deadLetter: DeadLetter): DeadLetterRow {
  const { id, message } = deadLetter;
  if (deadLetter.action !== null && deadLetter.dueAt === null) {
    throw new TypeError(`dead letter ${id}: action "${deadLetter.action}" needs a dueAt`);
  }
  const error = toJsonText(deadLetter.error, `dead letter ${id} error`);
  const parsed = JSON.parse(error) as Partial<Record<'name' | 'message', unknown>> | null;
  return {
    id,
    consumer: deadLetter.consumer,
    source: message.source,
    key: message.key,
    type: message.type,
    status: deadLetter.status,
    reason: deadLetter.reason,
    attempts: deadLetter.attempts,
    error,
    errorName: parsed?.name,
    errorMessage: parsed?.message,
    message: toJsonText(message, `dead letter ${id} message`),
    firstFailedAt: deadLetter.firstFailedAt,
    lastFailedAt: deadLetter.lastFailedAt,
    action: deadLetter.action,
    dueAt: deadLetter.dueAt === null ? null : toDueAt(deadLetter.dueAt, `dead letter ${id}`),
    edits: toJsonText(deadLetter.edits, `dead letter ${id} edits`),
    version: deadLetter.version,
    updatedAt: deadLetter.updatedAt,
  };
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    consumer: row.consumer,
    message: JSON.parse(row.message) as ParkedMessage,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
    error: JSON.parse(row.error) as ErrorRecord,
    firstFailedAt: row.firstFailedAt,
    lastFailedAt: row.lastFailedAt,
    action: row.action,
    dueAt: row.dueAt,
    edits: JSON.parse(row.edits) as DeadLetterEdit[],
    version: row.version,
    updatedAt: row.updatedAt,
  };
}
