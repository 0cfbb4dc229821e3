/** What operators see of a topic on the bus. */
export interface TopicInfo {
  readonly name: string;
  readonly partitions: number;
  /** Messages currently kept, over all partitions. */
  readonly messages: number;
  /** Registered consumer groups and how many messages each has not processed yet. */
  readonly groups: ReadonlyArray<{ group: string; lag: number }>;
  /** Messages the last retention runs held back for lagging groups (the retention guard), over all partitions. */
  readonly held: number;
  /** Groups that retention is waiting for. */
  readonly laggingGroups: ReadonlyArray<string>;
  /** Messages the last retention runs removed. */
  readonly removed: number;
}
