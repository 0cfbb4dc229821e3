import type { Clock } from '../clock/Clock.ts';
import type { LeaseStore } from '../ports/LeaseStore.ts';

/**
 * Spreads a consumer group's partitions over the instances that run it. Each `tick` renews this instance's
 * membership, gives up partitions beyond its fair share, takes free or expired ones up to it, and renews the ones
 * it keeps — every write a compare-and-set on the lease's revision, so no partition ever has two owners that both
 * believe it. Fair share: with M members sorted by id, member i owns ⌊P/M⌋ partitions, plus one if i < P mod M.
 * Even if a paused owner wakes up late, the checkpoint's version fences its commits.
 */
export class PartitionBalancer {
  private owned = new Map<number, number>();

  constructor(
    private readonly leases: LeaseStore,
    private readonly scope: string,
    private readonly partitions: number,
    readonly instance: string,
    private readonly clock: Clock,
    /** How long a lease or membership lasts without renewal. */
    readonly ttlMs: number,
  ) {}

  /** One round of rebalancing; returns the partitions this instance owns now. */
  async tick(): Promise<Set<number>> {
    const now = this.clock.now();
    const expiresAt = now + this.ttlMs;
    const members = await this.leases.heartbeat(this.scope, this.instance, expiresAt, now);
    const index = Math.max(0, members.indexOf(this.instance));
    const count = Math.max(1, members.length);
    const share = Math.floor(this.partitions / count) + (index < this.partitions % count ? 1 : 0);
    const current = new Map(
      (await this.leases.readLeases(this.scope)).map((lease) => [lease.partition, lease]),
    );
    const alive = new Set(members);
    const next = new Map<number, number>();

    const mine = [...current.values()]
      .filter((l) => l.owner === this.instance && l.expiresAt > now)
      .map((l) => l.partition);
    mine.sort((a, b) => a - b);
    // Keep (renew) up to the share, lowest partitions first; give the rest back.
    for (const partition of mine) {
      const lease = current.get(partition)!;
      if (next.size < share) {
        const revision = await this.leases.writeLease(
          this.scope,
          partition,
          this.instance,
          expiresAt,
          lease.revision,
        );
        if (revision !== undefined) next.set(partition, revision);
      } else {
        await this.leases.writeLease(this.scope, partition, '', now, lease.revision);
      }
    }
    // Take free partitions: never leased, expired, released, or held by a member that is gone.
    for (let partition = 0; partition < this.partitions && next.size < share; partition++) {
      if (next.has(partition)) continue;
      const lease = current.get(partition);
      const free =
        lease === undefined || lease.expiresAt <= now || lease.owner === '' || !alive.has(lease.owner);
      if (!free) continue;
      const revision = await this.leases.writeLease(
        this.scope,
        partition,
        this.instance,
        expiresAt,
        lease?.revision ?? 0,
      );
      if (revision !== undefined) next.set(partition, revision);
    }
    this.owned = next;
    return new Set(next.keys());
  }

  /** Gives every partition back and leaves the group, so the others take over without waiting for expiry. */
  async leave(): Promise<void> {
    const now = this.clock.now();
    for (const [partition, revision] of this.owned) {
      await this.leases.writeLease(this.scope, partition, '', now, revision).catch(() => undefined);
    }
    this.owned.clear();
    await this.leases.leave(this.scope, this.instance);
  }
}
