import type { Clock } from '../clock/Clock.ts';
import { isoTime } from '../clock/isoTime.ts';
import { isConcurrencyError } from '../errors/ConcurrencyError.ts';
import { newMessageId } from '../ids/MessageId.ts';
import { emptyChange } from '../ports/Change.ts';
import type { Store } from '../ports/Store.ts';
import {
  entryData,
  journalStream,
  readJournal,
  runCorrelationId,
  type Journal,
  type JournalEntry,
} from './Journal.ts';
import { wakeMessage } from './wakeMessage.ts';

const MAX_ATTEMPTS = 10;

/**
 * Appends an entry to a run's journal from outside the run (a cancellation, an operator's retry) with a wake-up,
 * in one commit. `decide` sees the journal first and returns the entry, or undefined to write nothing; a
 * concurrent write to the run makes it look again.
 */
export async function appendToRun(
  store: Store,
  clock: Clock,
  run: { service: string; workflow: string; runId: string },
  decide: (journal: Journal) => JournalEntry | undefined,
): Promise<JournalEntry | undefined> {
  for (let attempt = 1; ; attempt++) {
    const journal = readJournal(await store.readStream(journalStream(run.workflow), run.runId, 0));
    const entry = decide(journal);
    if (entry === undefined) return undefined;
    const now = clock.now();
    try {
      await store.commit({
        ...emptyChange,
        appends: [
          {
            entity: journalStream(run.workflow),
            entityId: run.runId,
            expectedVersion: journal.version,
            unordered: true,
            events: [
              {
                id: newMessageId(now),
                type: entry.type,
                data: entryData(entry),
                metadata: { correlationId: runCorrelationId(run.workflow, run.runId) },
                occurredAt: isoTime(now),
              },
            ],
          },
        ],
        outgoing: [wakeMessage(run, `${entry.type} ${journal.version}`, now)],
      });
      return entry;
    } catch (error) {
      if (!isConcurrencyError(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
