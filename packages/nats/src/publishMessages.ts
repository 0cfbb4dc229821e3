import type { OutgoingMessage } from '@parley/core';
import { encodeMessage } from './messageCodec.ts';
import type { NatsLink } from './NatsLink.ts';
import type { NatsNames } from './natsNames.ts';
import type { TopicStreams } from './TopicStreams.ts';

/**
 * Publishes to JetStream with the message id as `Nats-Msg-Id`, so the stream drops a message it already holds
 * (within its duplicate window). Within a partition each publish waits for the previous ack, which keeps the
 * order; partitions publish side by side.
 *
 * Not all-or-nothing — NATS has no transaction across messages. When a publish fails, the messages of its
 * partition before it are stored, it and the rest of that partition are not (or it was stored and the ack got
 * lost), and other partitions may have gone further. The call rejects; the outbox relay publishes the whole
 * batch again, and de-duplication drops what is already stored, so the end state is as if it had succeeded once.
 */
export async function publishMessages(
  link: NatsLink,
  names: NatsNames,
  topics: TopicStreams,
  messages: ReadonlyArray<OutgoingMessage>,
): Promise<void> {
  if (messages.length === 0) return;
  const byPartition = new Map<string, OutgoingMessage[]>();
  for (const message of messages) {
    const partitions = await topics.require(message.topic);
    if (!Number.isInteger(message.partition) || message.partition < 0 || message.partition >= partitions) {
      throw new RangeError(
        `message ${message.id}: partition ${message.partition} is outside topic "${message.topic}" (0 to ${partitions - 1})`,
      );
    }
    const subject = names.subject(message.topic, message.partition);
    const list = byPartition.get(subject);
    if (list === undefined) byPartition.set(subject, [message]);
    else list.push(message);
  }
  const { js } = await link.handles();
  const results = await Promise.allSettled(
    [...byPartition].map(async ([subject, list]) => {
      for (const message of list) {
        const { headers, data } = encodeMessage(message);
        await js.publish(subject, data, {
          msgID: message.id,
          headers,
          expect: { streamName: names.stream(message.topic) },
        });
      }
    }),
  );
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    const first: unknown = failures[0]?.reason;
    throw new Error(
      `publish to NATS failed in ${failures.length} of ${byPartition.size} partitions ` +
        `(the messages before the failure are stored; publishing again is safe): ${String(first)}`,
      { cause: first },
    );
  }
}
