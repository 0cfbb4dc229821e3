import { newMessageId, partitionFor, type OutgoingMessage } from '@parley/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { useHarness } from './harness.ts';
import { echoes, numbers } from './fixtures.ts';

function message(topic: { name: string; partitions: number }, key: string, headers: object): OutgoingMessage {
  return {
    topic: topic.name,
    partition: partitionFor(key, topic.partitions),
    id: newMessageId(),
    type: topic === numbers ? 'Numbered' : 'Echoed',
    key,
    payload: JSON.stringify({ key, seq: 1 }),
    headers: headers as OutgoingMessage['headers'],
    occurredAt: new Date().toISOString(),
  };
}

/** One saga's messages across topics, found by their correlationId header (buses that can search headers). */
export function correlationTests(target: ConformanceTarget): void {
  describe('messages by correlation id', () => {
    const h = useHarness(target);

    it('finds every message of one correlation id across topics, in position order, and no other', async (ctx) => {
      const { bus } = await h.open(await h.environment());
      if (bus.findCorrelated === undefined) return ctx.skip();
      await bus.ensureTopic(numbers);
      await bus.ensureTopic(echoes);
      const first = message(numbers, 'a', { correlationId: 'saga "1"' });
      const second = message(echoes, 'b', { correlationId: 'saga "1"', causationId: first.id });
      const other = message(numbers, 'c', { correlationId: 'saga "10"' });
      const none = message(numbers, 'd', {});
      const third = message(numbers, 'e', { correlationId: 'saga "1"', replyTo: echoes.name });
      await bus.publish([first, other]);
      await bus.publish([none, second]);
      await bus.publish([third]);
      const found = await bus.findCorrelated('saga "1"', 10);
      expect(found.map((m) => m.id)).toEqual([first.id, second.id, third.id]);
      expect(found[1]).toMatchObject({ topic: echoes.name, key: 'b', headers: second.headers });
      expect(found[0]!.position).toBeLessThan(found[1]!.position);
      expect((await bus.findCorrelated('saga "1"', 2)).map((m) => m.id)).toEqual([first.id, second.id]);
      expect(await bus.findCorrelated('saga', 10)).toEqual([]);
    });
  });
}
