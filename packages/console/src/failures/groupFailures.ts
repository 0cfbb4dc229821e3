import type { DeadLetter, DeadLetterStatus } from '@parley/core';
import { fingerprintOf, type Fingerprint } from './fingerprint.ts';

/** Dead letters with one fingerprint. */
export interface FailureGroup {
  readonly fingerprint: Fingerprint;
  readonly count: number;
  /** The earliest first failure and the latest last failure (ISO-8601). */
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The message keys affected, each once, in the order first seen. */
  readonly keys: ReadonlyArray<string>;
  readonly statuses: Readonly<Partial<Record<DeadLetterStatus, number>>>;
  /** The newest member's error message, as an example. */
  readonly example: string;
  readonly members: ReadonlyArray<DeadLetter>;
}

/** Groups dead letters by fingerprint; the most recently failing group first. */
export function groupFailures(deadLetters: ReadonlyArray<DeadLetter>): FailureGroup[] {
  const groups = new Map<string, { fingerprint: Fingerprint; members: DeadLetter[] }>();
  for (const deadLetter of deadLetters) {
    const fingerprint = fingerprintOf(deadLetter);
    let group = groups.get(fingerprint.id);
    if (group === undefined) groups.set(fingerprint.id, (group = { fingerprint, members: [] }));
    group.members.push(deadLetter);
  }
  return [...groups.values()]
    .map(({ fingerprint, members }) => {
      const statuses: Partial<Record<DeadLetterStatus, number>> = {};
      for (const m of members) statuses[m.status] = (statuses[m.status] ?? 0) + 1;
      const newest = members.reduce((a, b) => (b.lastFailedAt > a.lastFailedAt ? b : a));
      return {
        fingerprint,
        count: members.length,
        firstSeen: members.reduce(
          (min, m) => (m.firstFailedAt < min ? m.firstFailedAt : min),
          newest.firstFailedAt,
        ),
        lastSeen: newest.lastFailedAt,
        keys: [...new Set(members.map((m) => m.message.key))],
        statuses,
        example: newest.error.message,
        members,
      };
    })
    .sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : b.count - a.count));
}
