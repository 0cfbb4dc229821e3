/** What operators see of a consumer. */
export interface ConsumerInfo {
  readonly name: string;
  readonly source: string;
  readonly status: 'running' | 'paused';
  readonly reason: string | null;
  /** Messages in the source not yet handled (summed over partitions); null when the source is unknown here. */
  readonly lag: number | null;
  readonly partitions: ReadonlyArray<{ partition: number; position: number; lag: number | null }>;
  /** Keys blocked behind a parked message. */
  readonly parkedKeys: ReadonlyArray<string>;
  /** Dead letters by status. */
  readonly deadLetters: Readonly<Record<string, number>>;
}
