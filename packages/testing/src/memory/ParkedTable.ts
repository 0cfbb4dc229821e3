import { checkMaxBytes, countWithinBytes, type ParkedMessage, type UnparkWrite } from '@parley/core';
import { checkLimit } from './checkLimit.ts';
import { compareText } from './compareText.ts';
import { toJsonText } from './toJsonText.ts';
import type { Transaction } from './Transaction.ts';

interface ParkedRow {
  readonly partition: number;
  /** JSON text of the whole ParkedMessage. */
  readonly message: string;
}

/** Consumers' parked queues: per consumer, source and key, messages by position. */
export class ParkedTable {
  /** `[consumer, source]` as JSON → key → position → message */
  private readonly queues = new Map<string, Map<string, Map<number, ParkedRow>>>();

  /** Adds a message to its key's queue; one already parked at that position stays as it is. */
  park(tx: Transaction, consumer: string, message: ParkedMessage): void {
    const text = toJsonText(message, `parked message ${message.id}`);
    const keys = tx.child(
      this.queues,
      JSON.stringify([consumer, message.source]),
      () => new Map<string, Map<number, ParkedRow>>(),
    );
    const queue = tx.child(keys, message.key, () => new Map<number, ParkedRow>());
    if (!queue.has(message.position))
      tx.set(queue, message.position, { partition: message.partition, message: text });
  }

  unpark(tx: Transaction, { consumer, source, key, position }: UnparkWrite): void {
    const keys = this.queues.get(JSON.stringify([consumer, source]));
    const queue = keys?.get(key);
    if (queue === undefined || !tx.delete(queue, position)) return;
    if (queue.size === 0) tx.delete(keys!, key);
  }

  /** Keys with a parked queue in `source`, with their partitions, by key and partition. */
  keys(consumer: string, source: string): Array<{ key: string; partition: number }> {
    const keys = this.queues.get(JSON.stringify([consumer, source]));
    if (keys === undefined) return [];
    const found: Array<{ key: string; partition: number }> = [];
    for (const [key, queue] of keys) {
      const partitions = new Set([...queue.values()].map((row) => row.partition));
      for (const partition of partitions) found.push({ key, partition });
    }
    return found.sort((a, b) => compareText(a.key, b.key) || a.partition - b.partition);
  }

  /**
   * Up to `limit` messages of one key's queue with position greater than `after`, by position, within `maxBytes`
   * of stored text (the first always).
   */
  read(
    consumer: string,
    source: string,
    key: string,
    after: number,
    limit: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): ParkedMessage[] {
    checkLimit(limit, 'readParked');
    checkMaxBytes(maxBytes, 'readParked');
    const queue = this.queues.get(JSON.stringify([consumer, source]))?.get(key);
    if (queue === undefined) return [];
    const rows = [...queue]
      .filter(([position]) => position > after)
      .sort(([a], [b]) => a - b)
      .slice(0, limit);
    const count = countWithinBytes(
      rows.map(([, row]) => row.message.length),
      maxBytes,
    );
    return rows.slice(0, count).map(([, row]) => JSON.parse(row.message) as ParkedMessage);
  }
}
