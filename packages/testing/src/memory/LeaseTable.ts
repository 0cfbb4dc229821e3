import type { Lease } from '@parley/core';
import { compareText } from './compareText.ts';

/**
 * The partition leases of one in-memory database and the members that share them. Every call is one
 * synchronous step, so compare-and-set by revision is atomic against every connection.
 */
export class LeaseTable {
  /** scope → partition → lease */
  private readonly leases = new Map<string, Map<number, Lease>>();
  /** scope → member → expiresAt */
  private readonly members = new Map<string, Map<string, number>>();

  /** By partition. */
  read(scope: string): Lease[] {
    const leases = this.leases.get(scope);
    if (leases === undefined) return [];
    return [...leases.values()].sort((a, b) => a.partition - b.partition).map((lease) => ({ ...lease }));
  }

  /** The new revision, or undefined when the lease's revision is not `expected` (nothing written then). */
  write(
    scope: string,
    partition: number,
    owner: string,
    expiresAt: number,
    expected: number,
  ): number | undefined {
    let leases = this.leases.get(scope);
    const revision = leases?.get(partition)?.revision ?? 0;
    if (revision !== expected) return undefined;
    if (leases === undefined) this.leases.set(scope, (leases = new Map<number, Lease>()));
    leases.set(partition, { partition, owner, expiresAt, revision: revision + 1 });
    return revision + 1;
  }

  /** Records `member` until `expiresAt`, forgets members expired at `now`, and returns the rest, sorted. */
  heartbeat(scope: string, member: string, expiresAt: number, now: number): string[] {
    let members = this.members.get(scope);
    if (members === undefined) this.members.set(scope, (members = new Map<string, number>()));
    members.set(member, expiresAt);
    for (const [name, until] of members) if (until <= now) members.delete(name);
    return [...members.keys()].sort(compareText);
  }

  leave(scope: string, member: string): void {
    this.members.get(scope)?.delete(member);
  }
}
