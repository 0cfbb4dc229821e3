import { AckPolicy, DeliverPolicy, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, nuid } from '@nats-io/transport-node';
import type { GroupProgress, RetentionOutcome, RetentionPolicy } from '@parley/core';

export interface RetainPartitionInput {
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly subject: string;
  readonly topic: string;
  readonly partition: number;
  readonly policy: RetentionPolicy;
  readonly now: number;
  /** The registered groups' progress in this partition. */
  readonly groups: ReadonlyArray<GroupProgress>;
  /** Consumer names start with it. */
  readonly prefix: string;
}

/**
 * Applies a retention policy to one partition (one subject of the topic's stream) without ever removing a message
 * above the lowest registered group's position: the retention guard. Every purge is bounded by a stream
 * sequence (`purge({ filter, seq })`), never by a count, so messages published meanwhile are safe.
 *
 * Counting uses short-lived probe consumers (their `num_pending`); a `maxMessages` cut that falls strictly
 * between the age cut and the guard is found by binary search over sequences, one probe per step.
 */
export async function retainPartition(input: RetainPartitionInput): Promise<RetentionOutcome> {
  const { jsm, stream, subject, topic, partition, policy, now, groups } = input;
  const nothing: RetentionOutcome = { topic, partition, removed: 0, held: 0, laggingGroup: null };
  if (policy.maxAgeMs === undefined && policy.maxMessages === undefined) return nothing;

  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  const total = info.state.subjects?.[subject] ?? 0;
  if (total === 0) return nothing;
  const last = (await jsm.streams.getMessage(stream, { last_by_subj: subject }))?.seq ?? 0;
  if (last === 0) return nothing;

  const probe = (config: Partial<ConsumerConfig>) => probePending(input, config);
  const countAfter = async (seq: number): Promise<number> =>
    seq >= last
      ? 0
      : (await probe({ deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq + 1 })).pending;

  // What the policy would remove: the oldest `removable` messages of the partition.
  let ageCount = 0;
  let ageCut = 0;
  if (policy.maxAgeMs !== undefined) {
    const cutoff = new Date(now - policy.maxAgeMs);
    const atCutoff = await probe({
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: cutoff.toISOString(),
    });
    ageCut = Math.min(atCutoff.startSeq, last + 1);
    ageCount = Math.max(0, total - atCutoff.pending);
  }
  const countCount = policy.maxMessages === undefined ? 0 : Math.max(0, total - policy.maxMessages);
  const removable = Math.max(ageCount, countCount);
  if (removable === 0) return nothing;

  // What the guard allows: messages at or below the lowest group's position.
  const lagging = groups.reduce<GroupProgress | undefined>(
    (low, g) => (low === undefined || g.position < low.position ? g : low),
    undefined,
  );
  const guard = Math.min(lagging?.position ?? last, last);
  const allowed = total - (await countAfter(guard));
  const toRemove = Math.min(removable, allowed);
  const held = removable - toRemove;

  let removed = 0;
  if (toRemove > 0) {
    let cut: number;
    if (toRemove === allowed) cut = guard + 1;
    else if (toRemove === ageCount) cut = ageCut;
    else cut = (await nthSequence(toRemove, info.state.first_seq, guard, total, countAfter)) + 1;
    const response = await jsm.streams.purge(stream, { filter: subject, seq: Math.min(cut, guard + 1) });
    removed = response.purged;
  }
  return { topic, partition, removed, held, laggingGroup: held > 0 ? (lagging?.group ?? null) : null };
}

/** The sequence of the `n`-th message of the partition: the smallest s with n messages at or below it. */
async function nthSequence(
  n: number,
  low: number,
  high: number,
  total: number,
  countAfter: (seq: number) => Promise<number>,
): Promise<number> {
  let lo = Math.max(1, low);
  let hi = high;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (total - (await countAfter(mid)) >= n) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Creates a throwaway consumer to learn how many messages it would deliver and from which stream sequence. */
async function probePending(
  input: RetainPartitionInput,
  config: Partial<ConsumerConfig>,
): Promise<{ pending: number; startSeq: number }> {
  const name = `${input.prefix}-probe-${nuid.next()}`;
  const info = await input.jsm.consumers.add(input.stream, {
    ...config,
    name,
    filter_subject: input.subject,
    ack_policy: AckPolicy.None,
    inactive_threshold: nanos(60_000),
    mem_storage: true,
    num_replicas: 1,
  });
  await input.jsm.consumers.delete(input.stream, name).catch(() => false);
  return { pending: info.num_pending, startSeq: info.delivered.stream_seq + 1 };
}
