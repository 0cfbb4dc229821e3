import { toJsonText } from '@parley/sql';
import type Database from 'better-sqlite3';
import { ConcurrencyError, type Change, type CheckpointWrite, type StreamAppend } from '@parley/core';
import type { ChangeSignal } from './changeNotifier.ts';
import type { MessageLog } from './createMessageLog.ts';
import { prepareFailureWrites } from './prepareFailureWrites.ts';

/**
 * Prepares `Store.commit` for `db`: a function that writes a change in one `BEGIN IMMEDIATE` transaction and
 * returns what it changed, for the notifier. With `log`, outgoing messages go straight into the topic log;
 * without it, into the outbox. Throws `ConcurrencyError` (having written nothing) on a lost race.
 */
export function prepareCommit(
  db: Database.Database,
  log: MessageLog | undefined,
): (change: Change) => ChangeSignal[] {
  const selectStreamVersion = db
    .prepare<[string, string], number | null>(
      'SELECT max(version) FROM events WHERE entity = ? AND entity_id = ?',
    )
    .pluck();
  const insertEvent = db.prepare<[string, string, number, string, string, string, string, string]>(
    `INSERT INTO events (entity, entity_id, version, id, type, data, metadata, occurred_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCommand = db.prepare<[string, string, string, string]>(
    `INSERT INTO commands (command_id, entity, entity_id, outcome) VALUES (?, ?, ?, ?)
     ON CONFLICT (command_id) DO NOTHING`,
  );
  const upsertDocument = db.prepare<[string, string, string]>(
    `INSERT INTO documents (model, id, doc) VALUES (?, ?, ?)
     ON CONFLICT (model, id) DO UPDATE SET doc = excluded.doc`,
  );
  const deleteDocument = db.prepare<[string, string]>('DELETE FROM documents WHERE model = ? AND id = ?');
  const insertCheckpoint = db.prepare<[string, string, number, number]>(
    `INSERT INTO checkpoints (consumer, source, partition, position, version) VALUES (?, ?, ?, ?, 1)
     ON CONFLICT (consumer, source, partition) DO NOTHING`,
  );
  const updateCheckpoint = db.prepare<[number, string, string, number, number]>(
    `UPDATE checkpoints SET position = ?, version = version + 1
     WHERE consumer = ? AND source = ? AND partition = ? AND version = ?`,
  );
  const pruneDone = db.prepare<[string, string, number, number]>(
    'DELETE FROM consumer_done WHERE consumer = ? AND source = ? AND partition = ? AND position <= ?',
  );
  const insertDone = db.prepare<[string, string, number, number]>(
    `INSERT INTO consumer_done (consumer, source, partition, position) VALUES (?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const failures = prepareFailureWrites(db);
  const insertOutbox = db.prepare<[string, number, string, string, string, string, string, string]>(
    `INSERT INTO outbox (topic, partition, id, type, key, payload, headers, occurred_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  function append({ entity, entityId, expectedVersion, events }: StreamAppend): void {
    const current = selectStreamVersion.get(entity, entityId) ?? 0;
    if (current !== expectedVersion)
      throw new ConcurrencyError({ kind: 'stream', entity, entityId, expectedVersion });
    events.forEach((event, index) => {
      insertEvent.run(
        entity,
        entityId,
        expectedVersion + index + 1,
        event.id,
        event.type,
        toJsonText(event.data, () => `event ${event.id} data`),
        JSON.stringify(event.metadata),
        event.occurredAt,
      );
    });
  }

  function moveCheckpoint(write: CheckpointWrite): void {
    const { consumer, source, partition, position, expectedVersion } = write;
    const { changes } =
      expectedVersion === 0
        ? insertCheckpoint.run(consumer, source, partition, position)
        : updateCheckpoint.run(position, consumer, source, partition, expectedVersion);
    if (changes === 0) {
      throw new ConcurrencyError({ kind: 'checkpoint', consumer, source, partition, expectedVersion });
    }
    pruneDone.run(consumer, source, partition, position);
    for (const done of write.doneAbove) {
      if (done > position) insertDone.run(consumer, source, partition, done);
    }
  }

  const write = db.transaction((change: Change): ChangeSignal[] => {
    // Checkpoints, commands and fired timers first: when a message, command or timer is handled twice, the
    // conflict reported is the one the caller can act on, not a duplicate event id.
    for (const checkpoint of change.checkpoints) moveCheckpoint(checkpoint);
    for (const { commandId, entity, entityId, outcome } of change.commands) {
      const { changes } = insertCommand.run(
        commandId,
        entity,
        entityId,
        toJsonText(outcome, () => `command ${commandId} outcome`),
      );
      if (changes === 0) throw new ConcurrencyError({ kind: 'command', commandId });
    }
    failures.fireTimers(change.firedTimers);
    for (const streamAppend of change.appends) append(streamAppend);
    for (const { model, id, doc } of change.documents) {
      if (doc === null) deleteDocument.run(model, id);
      else
        upsertDocument.run(
          model,
          id,
          toJsonText(doc, () => `document ${model}/${id}`),
        );
    }

    const signals = failures.write(change);
    if (change.appends.some((streamAppend) => streamAppend.events.length > 0))
      signals.push({ table: 'events' });
    if (change.outgoing.length === 0) return signals;
    if (log !== undefined) {
      for (const topic of log.append(change.outgoing)) signals.push({ table: 'messages', topic });
      return signals;
    }
    for (const message of change.outgoing) {
      insertOutbox.run(
        message.topic,
        message.partition,
        message.id,
        message.type,
        message.key,
        message.payload,
        JSON.stringify(message.headers),
        message.occurredAt,
      );
    }
    signals.push({ table: 'outbox' });
    return signals;
  });

  return (change) => write.immediate(change);
}
