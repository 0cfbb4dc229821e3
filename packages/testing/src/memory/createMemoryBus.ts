import type { Bus, Clock } from '@parley/core';
import { ConnectionGate } from './ConnectionGate.ts';
import type { MemoryDatabase } from './MemoryDatabase.ts';
import { memoryLeases } from './memoryLeases.ts';
import { atomically } from './Transaction.ts';

/**
 * A {@link Bus} connection on an in-memory database. `publish` is one synchronous step, all or nothing;
 * `waitForMessages` wakes at once for a publish through any connection (or a commit of a store writing to this
 * log directly) to one of its topics, on timeout (slept on `clock`), on abort and on close. Group progress is
 * stamped with `clock`'s time.
 */
export function createMemoryBus(db: MemoryDatabase, clock: Clock): Bus {
  const gate = new ConnectionGate(`bus ${db.description}`);
  return {
    description: db.description,

    ensureTopic: (topic) => gate.call(() => db.log.ensureTopic(topic)),

    publish: (messages) =>
      gate.call(() => {
        if (messages.length === 0) return;
        const topics = atomically((tx) => db.log.append(tx, messages));
        db.changes.notify([...topics].map((topic) => ({ kind: 'messages', topic })));
      }),

    read: (topic, partition, after, limit, maxBytes) =>
      gate.call(() => db.log.read(topic, partition, after, limit, maxBytes)),

    endPosition: (topic, partition) => gate.call(() => db.log.endPosition(topic, partition)),

    countAfter: (topic, partition, after) => gate.call(() => db.log.countAfter(topic, partition, after)),

    findCorrelated: (correlationId, limit) => gate.call(() => db.log.findCorrelated(correlationId, limit)),

    listTopics: () => gate.call(() => db.log.listTopics()),

    recordProgress: (topic, group, partition, position) =>
      gate.call(() =>
        db.retention.recordProgress(topic, group, partition, position, new Date(clock.now()).toISOString()),
      ),

    listProgress: (topic) => gate.call(() => db.retention.listProgress(topic)),

    applyRetention: (topic, policy, now) =>
      gate.call(() => {
        const partitions = db.log.partitionsOf(topic);
        if (partitions === undefined) throw new Error(`topic ${topic} does not exist on ${db.description}`);
        return db.retention.apply(topic, partitions, policy, now);
      }),

    listRetention: (topic) => gate.call(() => db.retention.list(topic)),

    leases: memoryLeases(db.leases, gate),

    waitForMessages(topics, timeoutMs, signal) {
      const wanted = new Set(topics);
      return db.changes.wait((change) => change.kind === 'messages' && wanted.has(change.topic), timeoutMs, [
        signal,
        gate.signal,
      ]);
    },

    close() {
      gate.close();
      return Promise.resolve();
    },
  };
}
