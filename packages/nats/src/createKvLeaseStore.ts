import type { KV } from '@nats-io/kv';
import type { Lease, LeaseStore } from '@parley/core';
import { isWrongLastSequence } from './isWrongLastSequence.ts';
import { encodeToken } from './natsNames.ts';

interface LeaseValue {
  owner: string;
  expiresAt: number;
}

interface MemberValue {
  member: string;
  expiresAt: number;
}

/**
 * A {@link LeaseStore} on a JetStream KV bucket. A lease is the key `lease.<scope>.<partition>`; its KV revision
 * is the fencing token, and writes are compare-and-set on it (`create` for revision 0, `update` otherwise), so of
 * two racing writers exactly one wins. Members are keys `member.<scope>.<member>` holding their expiry; expired
 * members are removed by the next heartbeat (only if unchanged since it read them).
 *
 * @example
 * const leases = createKvLeaseStore(() => new Kvm(nc).create('app_leases', { history: 1 }));
 * const revision = await leases.writeLease('billing', 0, 'instance-a', Date.now() + 10_000, 0);
 */
export function createKvLeaseStore(bucket: () => Promise<KV>): LeaseStore {
  async function entries<T>(filter: string): Promise<Array<{ key: string; value: T; revision: number }>> {
    const kv = await bucket();
    const keys: string[] = [];
    for await (const key of await kv.keys(filter)) keys.push(key);
    const found = await Promise.all(keys.map((key) => kv.get(key)));
    return found.flatMap((entry) =>
      entry?.operation === 'PUT'
        ? [{ key: entry.key, value: entry.json<T>(), revision: entry.revision }]
        : [],
    );
  }

  return {
    async readLeases(scope) {
      const found = await entries<LeaseValue>(`lease.${encodeToken(scope)}.*`);
      return found
        .map(({ key, value, revision }): Lease => ({
          partition: Number(key.slice(key.lastIndexOf('.') + 1)),
          owner: value.owner,
          expiresAt: value.expiresAt,
          revision,
        }))
        .sort((a, b) => a.partition - b.partition);
    },

    async writeLease(scope, partition, owner, expiresAt, expectedRevision) {
      if (!Number.isSafeInteger(partition) || partition < 0)
        throw new RangeError(`writeLease: partition must be a non-negative integer, got ${partition}`);
      const kv = await bucket();
      const key = `lease.${encodeToken(scope)}.${partition}`;
      const value = JSON.stringify({ owner, expiresAt } satisfies LeaseValue);
      try {
        return expectedRevision === 0
          ? await kv.create(key, value)
          : await kv.update(key, value, expectedRevision);
      } catch (error) {
        if (isWrongLastSequence(error)) return undefined;
        throw error;
      }
    },

    async heartbeat(scope, member, expiresAt, now) {
      const kv = await bucket();
      await kv.put(
        `member.${encodeToken(scope)}.${encodeToken(member)}`,
        JSON.stringify({ member, expiresAt } satisfies MemberValue),
      );
      const members = await entries<MemberValue>(`member.${encodeToken(scope)}.*`);
      const expired = members.filter(({ value }) => value.expiresAt <= now);
      await Promise.all(
        expired.map(({ key, revision }) =>
          // Only if unchanged: a member that heartbeated meanwhile stays.
          kv.delete(key, { previousSeq: revision }).catch(() => {}),
        ),
      );
      return members
        .filter(({ value }) => value.expiresAt > now)
        .map(({ value }) => value.member)
        .sort();
    },

    async leave(scope, member) {
      const kv = await bucket();
      await kv.delete(`member.${encodeToken(scope)}.${encodeToken(member)}`);
    },
  };
}
