import { checkLimit } from '@parley/sql';
import type Database from 'better-sqlite3';
import {
  checkMaxBytes,
  countWithinBytes,
  parseHeaderText,
  type LogRecord,
  type OutgoingMessage,
  type TopicSpec,
} from '@parley/core';

/** The topic log tables (`topics`, `messages`) of one connection, shared by the bus and a direct-mode store. */
export interface MessageLog {
  /** Creates the topic, or checks that it has `partitions`. */
  ensureTopic(topic: TopicSpec): void;
  /**
   * Inserts messages in order, dropping those whose id is already in their topic. Run it inside a transaction.
   * Returns the topics that received at least one new message.
   */
  append(messages: ReadonlyArray<OutgoingMessage>): Set<string>;
  /** `Bus.read`: with `maxBytes`, the payload sizes are read first and only the rows that fit are loaded. */
  read(topic: string, partition: number, after: number, limit: number, maxBytes?: number): LogRecord[];
  endPosition(topic: string, partition: number): number;
  countAfter(topic: string, partition: number, after: number): number;
  listTopics(): TopicSpec[];
}

/** position, id, type, key, payload, headers, occurred_at */
type MessageColumns = [number, string, string, string, string, string, string];

/** Prepares the log statements once for `db`; `description` names the database in errors. */
export function createMessageLog(db: Database.Database, description: string): MessageLog {
  const insertTopic = db.prepare<[string, number]>(
    'INSERT INTO topics (name, partitions) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  );
  const selectPartitions = db
    .prepare<[string], number>('SELECT partitions FROM topics WHERE name = ?')
    .pluck();
  const insertMessage = db.prepare<[string, number, string, string, string, string, string, string]>(
    `INSERT INTO messages (topic, partition, id, type, key, payload, headers, occurred_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (topic, id) DO NOTHING`,
  );
  // Rows as arrays, without the topic and partition asked for: building keyed row objects costs more than the
  // read itself on this, the hottest query.
  const selectMessages = db
    .prepare<[string, number, number, number], MessageColumns>(
      `SELECT position, id, type, key, payload, headers, occurred_at FROM messages
       WHERE topic = ? AND partition = ? AND position > ? ORDER BY position LIMIT ?`,
    )
    .raw();
  // octet_length reads a value's size from its record header, never the value itself: a budget of a few
  // megabytes over a backlog of megabyte payloads loads only what it keeps.
  const selectSizes = db
    .prepare<[string, number, number, number], number>(
      `SELECT octet_length(payload) FROM messages
       WHERE topic = ? AND partition = ? AND position > ? ORDER BY position LIMIT ?`,
    )
    .pluck();
  // One snapshot for both statements: retention running in another process between them must not shift the
  // rows the sizes were read for.
  const selectWithin = db.transaction(
    (topic: string, partition: number, after: number, limit: number, maxBytes: number) => {
      const count = countWithinBytes(selectSizes.all(topic, partition, after, limit), maxBytes);
      return count === 0 ? [] : selectMessages.all(topic, partition, after, count);
    },
  );
  const selectEnd = db
    .prepare<[string, number], number | null>(
      'SELECT max(position) FROM messages WHERE topic = ? AND partition = ?',
    )
    .pluck();
  const countMessages = db
    .prepare<[string, number, number], number>(
      'SELECT count(*) FROM messages WHERE topic = ? AND partition = ? AND position > ?',
    )
    .pluck();
  const selectTopics = db.prepare<[], TopicSpec>('SELECT name, partitions FROM topics ORDER BY name');
  // A topic's partition count never changes once created, so a hit can be kept.
  const partitionCounts = new Map<string, number>();

  function partitionsOf(topic: string): number {
    let partitions = partitionCounts.get(topic);
    if (partitions === undefined) {
      partitions = selectPartitions.get(topic);
      if (partitions === undefined) {
        throw new Error(
          `topic "${topic}" does not exist in ${description}: ensure the topic before publishing to it`,
        );
      }
      partitionCounts.set(topic, partitions);
    }
    return partitions;
  }

  return {
    ensureTopic({ name, partitions }) {
      if (typeof name !== 'string' || name === '')
        throw new TypeError('topic name must be a non-empty string');
      if (!Number.isSafeInteger(partitions) || partitions < 1) {
        throw new RangeError(`topic "${name}": partitions must be a positive integer, got ${partitions}`);
      }
      insertTopic.run(name, partitions);
      const existing = partitionsOf(name);
      if (existing !== partitions) {
        throw new Error(
          `topic "${name}" exists in ${description} with ${existing} partitions, not ${partitions}: ` +
            'changing the partition count would break per-key order',
        );
      }
    },

    append(messages) {
      const topics = new Set<string>();
      for (const message of messages) {
        const partitions = partitionsOf(message.topic);
        if (
          !Number.isInteger(message.partition) ||
          message.partition < 0 ||
          message.partition >= partitions
        ) {
          throw new RangeError(
            `message ${message.id}: partition ${message.partition} is outside topic "${message.topic}" (0 to ${partitions - 1})`,
          );
        }
        const { changes } = insertMessage.run(
          message.topic,
          message.partition,
          message.id,
          message.type,
          message.key,
          message.payload,
          JSON.stringify(message.headers),
          message.occurredAt,
        );
        if (changes > 0) topics.add(message.topic);
      }
      return topics;
    },

    read(topic, partition, after, limit, maxBytes = Number.POSITIVE_INFINITY) {
      checkLimit(limit, 'read');
      checkMaxBytes(maxBytes, 'read');
      const rows =
        maxBytes === Number.POSITIVE_INFINITY || limit <= 1
          ? selectMessages.all(topic, partition, after, limit)
          : selectWithin(topic, partition, after, limit, maxBytes);
      return rows.map(([position, id, type, key, payload, headers, occurredAt]) => ({
        topic,
        partition,
        id,
        type,
        key,
        payload,
        headers: parseHeaderText(headers),
        occurredAt,
        position,
      }));
    },

    endPosition(topic, partition) {
      return selectEnd.get(topic, partition) ?? 0;
    },

    countAfter(topic, partition, after) {
      return countMessages.get(topic, partition, after) ?? 0;
    },

    listTopics() {
      return selectTopics.all();
    },
  };
}
