/** One partition's lease in a scope (a consumer group reading a source). */
export interface Lease {
  readonly partition: number;
  /** The instance holding it. */
  readonly owner: string;
  /** ms since the epoch; an expired lease may be taken by anyone. */
  readonly expiresAt: number;
  /** Increases on every write: the fencing token compare-and-set works on. */
  readonly revision: number;
}

/**
 * Shared, strongly consistent bookkeeping for spreading a consumer group's partitions over the instances of a
 * service: members announce themselves with heartbeats, and partitions are leased with compare-and-set writes.
 * Implemented by stores (a table) and buses (NATS JetStream KV); every method may be called concurrently from
 * many processes.
 */
export interface LeaseStore {
  /** Every lease written in `scope` (expired ones included), by partition. */
  readLeases(scope: string): Promise<Lease[]>;

  /**
   * Writes a partition's lease if its revision is still `expectedRevision` (0 when it was never written).
   * Returns the new revision, or undefined when another writer changed it first (nothing is written then).
   */
  writeLease(
    scope: string,
    partition: number,
    owner: string,
    expiresAt: number,
    expectedRevision: number,
  ): Promise<number | undefined>;

  /** Records `member` as alive until `expiresAt`; returns the members alive at `now`, sorted. */
  heartbeat(scope: string, member: string, expiresAt: number, now: number): Promise<string[]>;

  /** Removes a member at once (a graceful stop), so others rebalance without waiting for expiry. */
  leave(scope: string, member: string): Promise<void>;
}
