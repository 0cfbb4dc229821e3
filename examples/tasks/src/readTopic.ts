import type { Bus, TopicDefinition } from '@parley/core';

/** A message as read back from a topic, its payload decoded. */
export interface ReadMessage {
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

const PAGE = 1000;

/** Every message of a topic, partition by partition, in log order within each: for audits and tests. */
export async function readTopic(bus: Bus, topic: TopicDefinition): Promise<ReadMessage[]> {
  const messages: ReadMessage[] = [];
  for (let partition = 0; partition < topic.partitions; partition++) {
    for (let after = 0; ;) {
      const page = await bus.read(topic.name, partition, after, PAGE);
      for (const record of page) {
        messages.push({
          id: record.id,
          type: record.type,
          key: record.key,
          payload: JSON.parse(record.payload) as unknown,
          headers: record.headers,
        });
      }
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) break;
      after = last.position;
    }
  }
  return messages;
}

/** How many messages a topic holds, counted without reading them. */
export async function countMessages(bus: Bus, topic: TopicDefinition): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: topic.partitions }, (_, partition) => bus.countAfter(topic.name, partition, 0)),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
