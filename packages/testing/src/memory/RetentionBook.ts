import type { GroupProgress, RetentionOutcome, RetentionPolicy } from '@parley/core';
import { compareText } from './compareText.ts';
import { firstAfter } from './firstAfter.ts';
import type { TopicLog } from './TopicLog.ts';

interface Progress {
  readonly position: number;
  readonly updatedAt: string;
}

/**
 * The retention guard of an in-memory bus: consumer groups' progress per partition, retention runs and their last
 * outcomes. A run, per partition: the policy's cut-off is the highest position it would remove (by age: the last
 * message older than `maxAgeMs`; by count: everything before the newest `maxMessages`); the guard lowers it to
 * the slowest registered group's position (0 for a group that never reported the partition), counts what that
 * holds back, and removes the rest.
 */
export class RetentionBook {
  /** topic → group → partition → progress */
  private readonly progress = new Map<string, Map<string, Map<number, Progress>>>();
  /** topic → partition → the last outcome */
  private readonly outcomes = new Map<string, Map<number, RetentionOutcome>>();

  constructor(private readonly log: TopicLog) {}

  /** Positions only move forward; a lower report only refreshes `updatedAt`. */
  recordProgress(topic: string, group: string, partition: number, position: number, now: string): void {
    let groups = this.progress.get(topic);
    if (groups === undefined) this.progress.set(topic, (groups = new Map<string, Map<number, Progress>>()));
    let partitions = groups.get(group);
    if (partitions === undefined) groups.set(group, (partitions = new Map<number, Progress>()));
    const previous = partitions.get(partition);
    partitions.set(partition, {
      position: previous === undefined ? position : Math.max(previous.position, position),
      updatedAt: now,
    });
  }

  /** By topic, group and partition. */
  listProgress(topic?: string): GroupProgress[] {
    const rows: GroupProgress[] = [];
    for (const name of this.topicsOf(this.progress, topic)) {
      const groups = this.progress.get(name)!;
      for (const group of [...groups.keys()].sort(compareText)) {
        const partitions = groups.get(group)!;
        for (const partition of [...partitions.keys()].sort((a, b) => a - b)) {
          const { position, updatedAt } = partitions.get(partition)!;
          rows.push({ topic: name, group, partition, position, updatedAt });
        }
      }
    }
    return rows;
  }

  /** One run over every partition of `topic`, which has `partitions`. */
  apply(topic: string, partitions: number, policy: RetentionPolicy, now: number): RetentionOutcome[] {
    // Checked before anything is removed, so that a bad policy changes nothing.
    const cutoff = policy.maxAgeMs === undefined ? undefined : new Date(now - policy.maxAgeMs).toISOString();
    const keep = policy.maxMessages === undefined ? undefined : Math.max(0, policy.maxMessages);
    if (keep !== undefined && !Number.isInteger(keep)) {
      throw new TypeError(`retention of ${topic}: maxMessages must be an integer, got ${keep}`);
    }
    const groups = [...(this.progress.get(topic) ?? new Map<string, Map<number, Progress>>())].sort(
      ([a], [b]) => compareText(a, b),
    );
    const outcomes: RetentionOutcome[] = [];
    for (let partition = 0; partition < partitions; partition++) {
      const messages = this.log.messages(topic, partition);
      let cut = 0;
      if (cutoff !== undefined) {
        for (const message of messages) {
          if (compareText(message.occurredAt, cutoff) < 0) cut = Math.max(cut, message.position);
        }
      }
      if (keep !== undefined) {
        const newestRemoved = messages[messages.length - 1 - keep];
        if (newestRemoved !== undefined) cut = Math.max(cut, newestRemoved.position);
      }
      let held = 0;
      let laggingGroup: string | null = null;
      let allowed = cut;
      if (groups.length > 0) {
        // A group that never reported this partition has processed nothing of it.
        const missing = groups.find(([, reported]) => !reported.has(partition));
        let slow: { group: string; position: number } | undefined;
        for (const [group, reported] of groups) {
          const position = reported.get(partition)?.position;
          if (position !== undefined && (slow === undefined || position < slow.position)) {
            slow = { group, position };
          }
        }
        const floor = missing !== undefined ? 0 : (slow?.position ?? 0);
        const lagging = missing?.[0] ?? slow?.group ?? null;
        if (floor < cut) {
          allowed = floor;
          held =
            firstAfter(messages, cut, (m) => m.position) - firstAfter(messages, floor, (m) => m.position);
          laggingGroup = held > 0 ? lagging : null;
        }
      }
      const removed = allowed > 0 ? this.log.removeUpTo(topic, partition, allowed) : 0;
      const outcome: RetentionOutcome = { topic, partition, removed, held, laggingGroup };
      let saved = this.outcomes.get(topic);
      if (saved === undefined) this.outcomes.set(topic, (saved = new Map<number, RetentionOutcome>()));
      saved.set(partition, outcome);
      outcomes.push({ ...outcome });
    }
    return outcomes;
  }

  /** The last outcome of each partition, by topic and partition. */
  list(topic?: string): RetentionOutcome[] {
    return this.topicsOf(this.outcomes, topic).flatMap((name) => {
      const saved = this.outcomes.get(name)!;
      return [...saved.keys()].sort((a, b) => a - b).map((partition) => ({ ...saved.get(partition)! }));
    });
  }

  private topicsOf(map: Map<string, unknown>, topic: string | undefined): string[] {
    if (topic !== undefined) return map.has(topic) ? [topic] : [];
    return [...map.keys()].sort(compareText);
  }
}
