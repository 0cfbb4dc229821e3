import type { LeaseStore } from './LeaseStore.ts';
import type { LogRecord, OutgoingMessage } from './OutgoingMessage.ts';
import type { GroupProgress, RetentionOutcome, RetentionPolicy } from './Retention.ts';

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

  /**
   * Up to `limit` messages of one partition with position greater than `after`, in position order; with
   * `maxBytes`, no more payload than that, except that the first message always comes (see `checkMaxBytes` for
   * the rule every backend follows). What the budget leaves out is never loaded, so a backlog of large messages
   * costs the reader no more memory than the budget.
   */
  read(
    topic: string,
    partition: number,
    after: number,
    limit: number,
    maxBytes?: number,
  ): Promise<LogRecord[]>;

  /** The position of the last message in a partition, or 0 when it is empty. */
  endPosition(topic: string, partition: number): Promise<number>;

  /** How many messages of a partition have a position greater than `after` (a consumer's lag). */
  countAfter(topic: string, partition: number, after: number): Promise<number>;

  /**
   * Up to `limit` messages of any topic whose `correlationId` header is `correlationId`, in position order:
   * one saga's messages, for operators (an index keeps it cheap). Absent when the bus cannot search its messages
   * by header (NATS).
   */
  findCorrelated?(correlationId: string, limit: number): Promise<LogRecord[]>;

  /** Every topic and its partition count. */
  listTopics(): Promise<TopicSpec[]>;

  /**
   * Resolves when messages may have been published to one of `topics` (by any process), or after `timeoutMs`,
   * or when `signal` aborts. Never rejects; spurious wake-ups are allowed.
   */
  waitForMessages(topics: ReadonlyArray<string>, timeoutMs: number, signal?: AbortSignal): Promise<void>;

  /**
   * Registers a consumer group's progress in a partition: every message at or below `position` is done for it.
   * Retention never removes a message that a registered group has not passed. Positions only move forward; a
   * lower report is ignored.
   */
  recordProgress(topic: string, group: string, partition: number, position: number): Promise<void>;

  /** The registered groups of a topic (all topics when omitted) and their progress. */
  listProgress(topic?: string): Promise<GroupProgress[]>;

  /**
   * Applies a retention policy to every partition of `topic` at time `now`: removes what the policy allows, except
   * messages some registered group has not processed, which are held and reported (the retention guard). The
   * outcome of the last run per partition is kept for operators (`listRetention`).
   */
  applyRetention(topic: string, policy: RetentionPolicy, now: number): Promise<RetentionOutcome[]>;

  /** The outcome of the last retention run of each partition (of one topic, or all). */
  listRetention(topic?: string): Promise<RetentionOutcome[]>;

  /** Partition leases shared by the instances of a service, when the bus offers them (NATS: JetStream KV). */
  readonly leases?: LeaseStore;

  /** Releases connections. */
  close(): Promise<void>;
}
