/** A consumer's run state as operators set it (pause/resume) or a policy does (stop, storm guard). */
export interface ConsumerState {
  readonly consumer: string;
  readonly paused: boolean;
  readonly reason: string | null;
  /** ISO-8601. */
  readonly updatedAt: string;
}
