import type { LogRecord, OutgoingMessage } from './OutgoingMessage.ts';

/** What a bus must know of a topic. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

/**
 * Carries topics between services: durable, partitioned logs that consumers read from a position they keep in
 * their own store. Delivery order is publish order within a partition.
 */
export interface Bus {
  /** For logs and errors, e.g. `sqlite:./data/bus.db`. Never contains a password. */
  readonly description: string;

  /**
   * Creates the topic if it does not exist. Throws when it exists with another partition count: repartitioning
   * would break per-key order.
   */
  ensureTopic(topic: TopicSpec): Promise<void>;

  /**
   * Appends messages to their topics' partitions, keeping the given order within each partition. Idempotent by
   * message id: a message whose id is already in the topic is dropped, so a relay may publish again after a
   * crash. All-or-nothing for one call.
   */
  publish(messages: ReadonlyArray<OutgoingMessage>): Promise<void>;

  /** Up to `limit` messages of one partition with position greater than `after`, in position order. */
  read(topic: string, partition: number, after: number, limit: number): Promise<LogRecord[]>;

  /** The position of the last message in a partition, or 0 when it is empty. */
  endPosition(topic: string, partition: number): Promise<number>;

  /** How many messages of a partition have a position greater than `after` (a consumer's lag). */
  countAfter(topic: string, partition: number, after: number): Promise<number>;

  /** Every topic and its partition count. */
  listTopics(): Promise<TopicSpec[]>;

  /**
   * Resolves when messages may have been published to one of `topics` (by any process), or after `timeoutMs`,
   * or when `signal` aborts. Never rejects; spurious wake-ups are allowed.
   */
  waitForMessages(topics: ReadonlyArray<string>, timeoutMs: number, signal?: AbortSignal): Promise<void>;

  /** Releases connections. */
  close(): Promise<void>;
}
