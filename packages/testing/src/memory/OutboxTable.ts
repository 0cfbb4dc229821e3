import {
  parseHeaderText,
  type ErrorRecord,
  type MessageId,
  type OutboxEntry,
  type OutboxFailure,
  type OutboxFilter,
  type OutboxRecord,
  type OutboxStatus,
  type OutgoingMessage,
} from '@parley/core';
import { checkLimit } from './checkLimit.ts';
import { Sequence, type Transaction } from './Transaction.ts';

/** An outbox message and its relay state; headers and error as JSON text. */
interface OutboxRow {
  readonly seq: number;
  readonly topic: string;
  readonly partition: number;
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly payload: string;
  readonly headers: string;
  readonly occurredAt: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly error: string | null;
  readonly failedAt: string | null;
  readonly actedBy: string | null;
  readonly actedAt: string | null;
}

/**
 * Messages committed with a change, waiting for the relay, in `seq` order: the order of the map, since a row is
 * only ever replaced in place while it stays, and deleted (sent) outside any commit.
 */
export class OutboxTable {
  private readonly rows = new Map<number, OutboxRow>();
  private readonly seqs = new Sequence();

  insert(tx: Transaction, message: OutgoingMessage): void {
    const seq = this.seqs.next(tx);
    tx.set(this.rows, seq, {
      seq,
      topic: message.topic,
      partition: message.partition,
      id: message.id,
      type: message.type,
      key: message.key,
      payload: message.payload,
      headers: JSON.stringify(message.headers),
      occurredAt: message.occurredAt,
      status: 'pending',
      attempts: 0,
      error: null,
      failedAt: null,
      actedBy: null,
      actedAt: null,
    });
  }

  /** Up to `limit` pending messages, in outbox order. */
  fetch(limit: number): OutboxRecord[] {
    checkLimit(limit, 'fetchOutbox');
    const records: OutboxRecord[] = [];
    for (const row of this.rows.values()) {
      if (records.length >= limit) break;
      if (row.status === 'pending') records.push(toOutboxRecord(row));
    }
    return records;
  }

  /** Removes the rows, whatever their status. */
  markSent(seqs: ReadonlyArray<number>): void {
    for (const seq of seqs) this.rows.delete(seq);
  }

  /** Pending rows become failed, with one more attempt; others stay as they are. */
  setAside(tx: Transaction, failures: ReadonlyArray<OutboxFailure>, at: string): void {
    for (const { seq, error } of failures) {
      const row = this.rows.get(seq);
      if (row?.status !== 'pending') continue;
      tx.set(this.rows, seq, {
        ...row,
        status: 'failed',
        attempts: row.attempts + 1,
        error: JSON.stringify(error),
        failedAt: at,
      });
    }
  }

  /** failed → `status`, recording who and when; undefined (changing nothing) when no failed row has `seq`. */
  resolve(status: 'discarded' | 'pending', seq: number, by: string, at: string): OutboxEntry | undefined {
    const row = this.rows.get(seq);
    if (row?.status !== 'failed') return undefined;
    const changed: OutboxRow = { ...row, status, actedBy: by, actedAt: at };
    this.rows.set(seq, changed);
    return toOutboxEntry(changed);
  }

  /** Rows matching `filter` (by default the failed ones), in outbox order. */
  list(filter: OutboxFilter = {}): OutboxEntry[] {
    const statuses = new Set<OutboxStatus>(
      filter.status === undefined
        ? ['failed']
        : typeof filter.status === 'string'
          ? [filter.status]
          : filter.status,
    );
    const after = filter.after ?? 0;
    const limit = checkLimit(filter.limit ?? 100, 'listOutbox');
    const entries: OutboxEntry[] = [];
    for (const row of this.rows.values()) {
      if (entries.length >= limit) break;
      if (!statuses.has(row.status) || row.seq <= after) continue;
      if (filter.topic !== undefined && row.topic !== filter.topic) continue;
      entries.push(toOutboxEntry(row));
    }
    return entries;
  }

  get(seq: number): OutboxEntry | undefined {
    const row = this.rows.get(seq);
    return row === undefined ? undefined : toOutboxEntry(row);
  }
}

function toOutboxRecord(row: OutboxRow): OutboxRecord {
  return {
    seq: row.seq,
    topic: row.topic,
    partition: row.partition,
    id: row.id as MessageId,
    type: row.type,
    key: row.key,
    payload: row.payload,
    headers: parseHeaderText(row.headers),
    occurredAt: row.occurredAt,
  };
}

function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    ...toOutboxRecord(row),
    status: row.status,
    attempts: row.attempts,
    error: row.error === null ? null : (JSON.parse(row.error) as ErrorRecord),
    failedAt: row.failedAt,
    actedBy: row.actedBy,
    actedAt: row.actedAt,
  };
}
