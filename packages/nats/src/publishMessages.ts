import type { OutgoingMessage } from '@parley/core';
import type { NatsLink } from './NatsLink.ts';
import type { NatsNames } from './natsNames.ts';
import { publishChained, type ChainedMessage, type JetStreamPublisher } from './publishChained.ts';
import type { PublishWindow } from './PublishWindow.ts';
import type { TopicStreams } from './TopicStreams.ts';

/**
 * Publishes to JetStream with the message id as `Nats-Msg-Id`, so the stream drops a message it already holds
 * (within its duplicate window). Each topic's messages go out in the given order as one pipeline guarded by the
 * stream's last message id ({@link publishChained}): many acks in flight (bounded by `window`), and still no
 * partition reordered when a publish fails. Topics publish side by side. Every message is checked against its
 * topic's partitions before anything is sent.
 *
 * Not all-or-nothing — NATS has no transaction across messages. When a publish fails, the messages of its topic
 * before it are stored and those after it are not (or, after a lost ack, some are, in order); other topics may
 * have gone further. The call rejects; the outbox relay publishes the whole batch again, and de-duplication drops
 * what is already stored, so the end state is as if it had succeeded once.
 *
 * `client` replaces the connection's publisher (tests put a failure into the pipeline through it).
 */
export async function publishMessages(
  link: NatsLink,
  names: NatsNames,
  topics: TopicStreams,
  window: PublishWindow,
  messages: ReadonlyArray<OutgoingMessage>,
  client?: JetStreamPublisher,
): Promise<void> {
  if (messages.length === 0) return;
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const message of messages) {
    const list = byTopic.get(message.topic);
    if (list === undefined) byTopic.set(message.topic, [message]);
    else list.push(message);
  }
  const chains: Array<{ stream: string; messages: ChainedMessage[] }> = [];
  for (const [topic, list] of byTopic) {
    const partitions = await topics.require(topic);
    const chained = list.map((message): ChainedMessage => {
      if (!Number.isInteger(message.partition) || message.partition < 0 || message.partition >= partitions) {
        throw new RangeError(
          `message ${message.id}: partition ${message.partition} is outside topic "${topic}" (0 to ${partitions - 1})`,
        );
      }
      return { subject: names.subject(topic, message.partition), message };
    });
    chains.push({ stream: names.stream(topic), messages: chained });
  }
  const publisher = client ?? (await link.handles()).publisher;
  const results = await Promise.allSettled(
    chains.map((chain) => publishChained(publisher, window, chain.stream, chain.messages)),
  );
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    const first: unknown = failures[0]?.reason;
    throw new Error(
      `publish to NATS failed in ${failures.length} of ${chains.length} topics ` +
        `(the messages before the failure are stored; publishing again is safe): ${String(first)}`,
      { cause: first },
    );
  }
}
