/** What operators see of a consumer. */
export interface ConsumerInfo {
  readonly name: string;
  readonly source: string;
  readonly status: 'running' | 'paused';
  readonly reason: string | null;
  /** Messages in the source not yet handled (summed over partitions); null when the source is unknown here. */
  readonly lag: number | null;
  /** Age in seconds of the oldest message not handled yet (the largest over partitions); null when unknown. */
  readonly lagSeconds: number | null;
  readonly partitions: ReadonlyArray<{
    partition: number;
    position: number;
    lag: number | null;
    /** Age in seconds of the first message after the checkpoint, 0 when there is none; null when unknown. */
    lagSeconds: number | null;
  }>;
  /** Keys blocked behind a parked message. */
  readonly parkedKeys: ReadonlyArray<string>;
  /** Dead letters by status. */
  readonly deadLetters: Readonly<Record<string, number>>;
}
