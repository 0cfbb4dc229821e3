/** How long a topic keeps its messages. Both limits are optional; without any, messages are kept forever. */
export interface RetentionPolicy {
  /** Remove messages older than this, in ms. */
  readonly maxAgeMs?: number;
  /** Keep at most this many messages per partition. */
  readonly maxMessages?: number;
}

/** What retention did to one partition, and what it had to hold back. */
export interface RetentionOutcome {
  readonly topic: string;
  readonly partition: number;
  /** Messages removed now. */
  readonly removed: number;
  /**
   * Messages the policy would remove but a registered consumer group has not processed yet: kept, and the
   * lagging group named. 0 when nothing is held.
   */
  readonly held: number;
  readonly laggingGroup: string | null;
}

/** A consumer group's progress in one partition of a topic, as the bus knows it. */
export interface GroupProgress {
  readonly topic: string;
  readonly group: string;
  readonly partition: number;
  readonly position: number;
  /** ISO-8601 of the last report. */
  readonly updatedAt: string;
}
