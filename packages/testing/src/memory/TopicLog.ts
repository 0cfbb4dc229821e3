import {
  checkMaxBytes,
  countWithinBytes,
  parseHeaderText,
  type LogRecord,
  type OutgoingMessage,
  type TopicSpec,
} from '@parley/core';
import { checkLimit } from './checkLimit.ts';
import { compareText } from './compareText.ts';
import { firstAfter } from './firstAfter.ts';
import { Sequence, type Transaction } from './Transaction.ts';

/** A message as the log keeps it: headers as JSON text. */
interface MessageRow {
  readonly position: number;
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly payload: string;
  readonly headers: string;
  readonly occurredAt: string;
}

interface Topic {
  readonly partitions: number;
  /** Per partition, in position order. */
  readonly logs: MessageRow[][];
  /** Ids of the messages the topic holds, for idempotent publishing. */
  readonly ids: Set<string>;
}

const positionOf = (row: MessageRow): number => row.position;

/**
 * The topics of one in-memory database and their partitioned logs, shared by its bus and a store that writes
 * to the log directly. Positions grow with publish order across every topic, as one AUTOINCREMENT column does.
 */
export class TopicLog {
  private readonly topics = new Map<string, Topic>();
  private readonly positions = new Sequence();

  /** `description` names the database in errors. */
  constructor(private readonly description: string) {}

  /** Creates the topic, or checks that it has `partitions`. */
  ensureTopic({ name, partitions }: TopicSpec): void {
    if (typeof name !== 'string' || name === '') throw new TypeError('topic name must be a non-empty string');
    if (!Number.isSafeInteger(partitions) || partitions < 1) {
      throw new RangeError(`topic "${name}": partitions must be a positive integer, got ${partitions}`);
    }
    const existing = this.topics.get(name);
    if (existing === undefined) {
      this.topics.set(name, {
        partitions,
        logs: Array.from({ length: partitions }, () => []),
        ids: new Set(),
      });
      return;
    }
    if (existing.partitions !== partitions) {
      throw new Error(
        `topic "${name}" exists in ${this.description} with ${existing.partitions} partitions, not ${partitions}: ` +
          'changing the partition count would break per-key order',
      );
    }
  }

  /**
   * Appends messages in order, dropping those whose id is already in their topic. Throws for an unknown topic or
   * a partition outside it (the transaction then undoes the whole call). Returns the topics that received at
   * least one new message.
   */
  append(tx: Transaction, messages: ReadonlyArray<OutgoingMessage>): Set<string> {
    const topics = new Set<string>();
    for (const message of messages) {
      const topic = this.topicOf(message.topic);
      const log = topic.logs[message.partition];
      if (!Number.isInteger(message.partition) || log === undefined) {
        throw new RangeError(
          `message ${message.id}: partition ${message.partition} is outside topic "${message.topic}" (0 to ${topic.partitions - 1})`,
        );
      }
      if (!tx.add(topic.ids, message.id)) continue;
      tx.push(log, {
        position: this.positions.next(tx),
        id: message.id,
        type: message.type,
        key: message.key,
        payload: message.payload,
        headers: JSON.stringify(message.headers),
        occurredAt: message.occurredAt,
      });
      topics.add(message.topic);
    }
    return topics;
  }

  read(
    topic: string,
    partition: number,
    after: number,
    limit: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): LogRecord[] {
    checkLimit(limit, 'read');
    checkMaxBytes(maxBytes, 'read');
    const log = this.logOf(topic, partition);
    const start = firstAfter(log, after, positionOf);
    const rows = log.slice(start, start + limit);
    const count = countWithinBytes(
      rows.map((row) => row.payload.length),
      maxBytes,
    );
    return rows.slice(0, count).map((row) => toRecord(topic, partition, row));
  }

  /** Up to `limit` messages of every topic whose `correlationId` header is `correlationId`, in position order. */
  findCorrelated(correlationId: string, limit: number): LogRecord[] {
    checkLimit(limit, 'findCorrelated');
    const found: LogRecord[] = [];
    for (const [topic, { logs }] of this.topics)
      logs.forEach((log, partition) => {
        for (const row of log) {
          const record = toRecord(topic, partition, row);
          if (record.headers.correlationId === correlationId) found.push(record);
        }
      });
    return found.sort((a, b) => a.position - b.position).slice(0, limit);
  }

  /** The position of the last message the partition holds, or 0. */
  endPosition(topic: string, partition: number): number {
    return this.logOf(topic, partition).at(-1)?.position ?? 0;
  }

  countAfter(topic: string, partition: number, after: number): number {
    const log = this.logOf(topic, partition);
    return log.length - firstAfter(log, after, positionOf);
  }

  listTopics(): TopicSpec[] {
    return [...this.topics]
      .map(([name, topic]) => ({ name, partitions: topic.partitions }))
      .sort((a, b) => compareText(a.name, b.name));
  }

  /** The partition count of a topic, or undefined when it does not exist. */
  partitionsOf(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions;
  }

  /** The messages of a partition, oldest first, for retention to look at. Do not change the array. */
  messages(topic: string, partition: number): ReadonlyArray<{ position: number; occurredAt: string }> {
    return this.logOf(topic, partition);
  }

  /** Removes the messages of a partition at or below `position`; returns how many. */
  removeUpTo(topic: string, partition: number, position: number): number {
    const found = this.topics.get(topic);
    const log = found?.logs[partition];
    if (found === undefined || log === undefined) return 0;
    const removed = log.splice(0, firstAfter(log, position, positionOf));
    for (const row of removed) found.ids.delete(row.id);
    return removed.length;
  }

  private topicOf(name: string): Topic {
    const topic = this.topics.get(name);
    if (topic === undefined) {
      throw new Error(
        `topic "${name}" does not exist in ${this.description}: ensure the topic before publishing to it`,
      );
    }
    return topic;
  }

  private logOf(topic: string, partition: number): ReadonlyArray<MessageRow> {
    return this.topics.get(topic)?.logs[partition] ?? [];
  }
}

function toRecord(topic: string, partition: number, row: MessageRow): LogRecord {
  return {
    topic,
    partition,
    id: row.id,
    type: row.type,
    key: row.key,
    payload: row.payload,
    headers: parseHeaderText(row.headers),
    occurredAt: row.occurredAt,
    position: row.position,
  };
}
