import { isEmptyChange, type InstanceSlot, type Store } from '@parley/core';
import type { ChangeSignal } from './ChangeHub.ts';
import { commitChange } from './commitChange.ts';
import { ConnectionGate } from './ConnectionGate.ts';
import { ConsumerSampleTable } from './ConsumerSampleTable.ts';
import type { MemoryDatabase } from './MemoryDatabase.ts';
import { memoryLeases } from './memoryLeases.ts';
import { atomically } from './Transaction.ts';

export interface MemoryStoreOptions {
  /**
   * The store is the bus's own database: `commit` writes outgoing messages straight into the topic log, in the
   * same transaction, and the outbox stays empty.
   */
  readonly direct: boolean;
}

/**
 * A {@link Store} connection on an in-memory database. Each commit is one synchronous step, so connections on
 * the same database (standing for processes) are serialised; `waitForChange` wakes at once for a commit made
 * through any of them, on timeout (slept on the database's clock), on abort and on close. Checkpoint, read-model
 * and parked-queue writes alone wake no one. Instance names claimed through this connection are freed when it
 * closes, as a process's are when it dies.
 */
export function createMemoryStore(db: MemoryDatabase, options: MemoryStoreOptions): Store {
  const gate = new ConnectionGate(`store ${db.description}`);
  const slots = new Set<InstanceSlot>();
  const { direct } = options;
  const notify = (signals: ChangeSignal[]) => db.changes.notify(signals);

  return {
    description: db.description,

    leases: memoryLeases(db.leases, gate),

    instanceSlots: {
      claim: (service) =>
        gate.call(() => {
          const claimed = db.slots.claim(service);
          const slot: InstanceSlot = {
            id: claimed.id,
            release() {
              slots.delete(slot);
              claimed.release();
              return Promise.resolve();
            },
          };
          slots.add(slot);
          return slot;
        }),
    },

    readStream: (entity, entityId, afterVersion) =>
      gate.call(() => db.events.readStream(entity, entityId, afterVersion)),

    readEvents: (entity, after, limit) => gate.call(() => db.events.readEvents(entity, after, limit)),

    lastEventPosition: (entity) => gate.call(() => db.events.lastPosition(entity)),

    findCommand: (commandId) => gate.call(() => db.commands.find(commandId)),

    loadCursor: (consumer, source) => gate.call(() => db.checkpoints.load(consumer, source)),

    getDocument: (model, id) => gate.call(() => db.documents.get(model, id)),

    findDocuments: (model, query) => gate.call(() => db.documents.find(model, query)),

    commit: (change) =>
      gate.call(() => {
        if (isEmptyChange(change)) return;
        notify(commitChange(db, change, direct));
      }),

    // Served from the table even in direct mode, where it stays empty.
    fetchOutbox: (limit) => gate.call(() => db.outbox.fetch(limit)),

    markSent: (seqs) => gate.call(() => db.outbox.markSent(seqs)),

    setAsideOutbox: (failures, at) =>
      gate.call(() => atomically((tx) => db.outbox.setAside(tx, failures, at))),

    listOutbox: (filter) => gate.call(() => db.outbox.list(filter)),

    getOutbox: (seq) => gate.call(() => db.outbox.get(seq)),

    discardOutbox: (seq, by, at) => gate.call(() => db.outbox.resolve('discarded', seq, by, at)),

    retryOutbox: (seq, by, at) =>
      gate.call(() => {
        const entry = db.outbox.resolve('pending', seq, by, at);
        // Back in the queue: wake the relays.
        if (entry !== undefined) notify([{ kind: 'outbox' }]);
        return entry;
      }),

    waitForChange(timeoutMs, signal, on) {
      const kinds = on === undefined ? undefined : new Set<string>(on);
      return db.changes.wait(
        (change) => change.kind !== 'messages' && (kinds === undefined || kinds.has(change.kind)),
        timeoutMs,
        [signal, gate.signal],
      );
    },

    listCursors: () => gate.call(() => db.checkpoints.list()),

    countEventsAfter: (entity, after) => gate.call(() => db.events.countAfter(entity, after)),

    loadParkedKeys: (consumer, source) => gate.call(() => db.parked.keys(consumer, source)),

    readParked: (consumer, source, key, after, limit, maxBytes) =>
      gate.call(() => db.parked.read(consumer, source, key, after, limit, maxBytes)),

    dueDeadLetters: (consumer, source, now, limit) =>
      gate.call(() => db.deadLetters.due(consumer, source, now, limit)),

    nextDeadLetterDue: (consumer, source) => gate.call(() => db.deadLetters.next(consumer, source)),

    listDeadLetters: (filter) => gate.call(() => db.deadLetters.list(filter)),

    getDeadLetter: (id) => gate.call(() => db.deadLetters.get(id)),

    dueTimers: (now, limit) => gate.call(() => db.timers.due(now, limit)),

    nextTimerDue: () => gate.call(() => db.timers.next()),

    listConsumerStates: () => gate.call(() => db.consumerStates.list()),

    recordSamples: (samples, pruneBefore) =>
      gate.call(() => ConsumerSampleTable.of(db).record(samples, pruneBefore)),

    listSamples: (filter) => gate.call(() => ConsumerSampleTable.of(db).list(filter)),

    async close() {
      if (!gate.close()) return;
      for (const slot of [...slots]) await slot.release();
    },
  };
}
