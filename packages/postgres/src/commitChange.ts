import type { Change } from '@parley/core';
import { appendEvents } from './appendEvents.ts';
import { appendMessages } from './appendMessages.ts';
import type { ChangeSignal } from './changeNotifier.ts';
import { fireTimers } from './fireTimers.ts';
import { lockPositions } from './lockPositions.ts';
import { moveCheckpoints } from './moveCheckpoints.ts';
import type { Queryable } from './Queryable.ts';
import { recordCommands } from './recordCommands.ts';
import type { TopicCatalog } from './TopicCatalog.ts';
import { writeConsumerStates } from './writeConsumerStates.ts';
import { writeDeadLetters } from './writeDeadLetters.ts';
import { writeDocuments } from './writeDocuments.ts';
import { writeOutbox } from './writeOutbox.ts';
import { writeParked } from './writeParked.ts';
import { writeTimers } from './writeTimers.ts';

/** Where a store writes. */
export interface CommitTarget {
  readonly schema: string;
  readonly s: string;
  readonly channel: string;
  /** Present in direct mode: outgoing messages go into this schema's topic log instead of the outbox. */
  readonly catalog: TopicCatalog | undefined;
}

/**
 * Writes `change` with `db`, which must be inside a transaction, and returns the signals waiters must hear of
 * (the transaction sends them with NOTIFY as it commits). A statement per kind of
 * row, never per row. Throws `ConcurrencyError` on a lost race; the caller rolls back, so nothing is written.
 *
 * Order: checkpoints, commands and fired timers first, so that a message, command or timer handled twice
 * reports the conflict the caller can act on rather than a duplicate event id. Appends and messages last: the
 * position locks they take are held until commit, so they are taken as late as possible.
 */
export async function commitChange(
  db: Queryable,
  target: CommitTarget,
  change: Change,
): Promise<ChangeSignal[]> {
  const { s } = target;
  await moveCheckpoints(db, s, change.checkpoints);
  await recordCommands(db, s, change.commands);
  await fireTimers(db, s, change.firedTimers);
  await writeDocuments(db, s, change.documents);
  await writeParked(db, s, change.parks, change.unparks);
  await writeDeadLetters(db, s, change.deadLetters, change.deadLetterDeletes);
  const timersAdded = await writeTimers(db, s, change.timers);
  await writeConsumerStates(db, s, change.consumerStates);

  const signals: ChangeSignal[] = [];
  const appended = change.appends.filter((append) => append.events.length > 0);
  await lockPositions(db, target.schema, {
    // Streams no one reads in position order (workflow journals) need no position lock: their appends, the most
    // frequent commits of a busy workflow, would otherwise all queue behind one lock per workflow type.
    entities: appended.filter((append) => append.unordered !== true).map((append) => append.entity),
    partitions: [],
  });
  await appendEvents(db, s, change.appends);
  if (appended.length > 0) signals.push('events');
  if (target.catalog !== undefined) {
    const topics = await appendMessages(db, { name: target.schema, s }, target.catalog, change.outgoing);
    for (const topic of topics) signals.push(`topic:${topic}`);
  } else if (change.outgoing.length > 0) {
    await writeOutbox(db, s, change.outgoing);
    signals.push('outbox');
  }
  if (timersAdded > 0) signals.push('timers');
  if (change.deadLetters.some((deadLetter) => deadLetter.action !== null)) signals.push('deadletters');
  if (change.consumerStates.length > 0) signals.push('states');
  return signals;
}
