import type { Change, CommandRecord } from './Change.ts';
import type { ConsumerSample, ConsumerSampleFilter } from './ConsumerSample.ts';
import type { ConsumerState } from './ConsumerState.ts';
import type { DeadLetter, DeadLetterFilter } from './DeadLetter.ts';
import type { OutboxEntry, OutboxFailure, OutboxFilter, OutboxRecord } from './OutgoingMessage.ts';
import type { ParkedMessage } from './ParkedMessage.ts';
import type { StoredEvent } from './StoredEvent.ts';
import type { TimerRecord } from './TimerRecord.ts';
import type { LeaseStore } from './LeaseStore.ts';
import type { InstanceSlots } from './InstanceSlots.ts';

/** A consumer's progress in one partition of a source. */
export interface CursorPartition {
  readonly partition: number;
  /** Every message at or below this position is done. */
  readonly position: number;
  /** Fencing version of the checkpoint row; the next write must expect it. */
  readonly version: number;
  /** Done positions above `position`, in increasing order. */
  readonly doneAbove: ReadonlyArray<number>;
}

/**
 * Equality filter on top-level fields of read-model documents, and one page of what matches: documents come in
 * id order (byte order of the UTF-8), at most `limit` of them. For the next page, pass the last id as `after`;
 * a page shorter than `limit` is the last.
 *
 * @example
 * const query = { where: { showId: 's1' }, limit: 50 };
 * const page = await store.findDocuments('seats', query);
 * const next = await store.findDocuments('seats', { ...query, after: page.at(-1)?.id });
 */
export interface DocumentQuery {
  readonly where?: Readonly<Record<string, string | number | boolean | null>>;
  /** At most this many documents. @default 100 */
  readonly limit?: number;
  /** Only documents whose id comes after this one: the last id of the previous page. */
  readonly after?: string | undefined;
}

/**
 * What a commit may change that someone waits for: appended events, outbox messages, new timers, dead letters with
 * an action for their consumer, and consumer run states.
 */
export type StoreChange = 'events' | 'outbox' | 'timers' | 'deadLetters' | 'consumerStates';

/**
 * A service's own durable state: entity streams, command outcomes, read models, consumer checkpoints and the
 * outbox. Every write goes through {@link Store.commit}, in one transaction; reads see only committed data.
 * All methods may be called concurrently; an implementation serialises what it must.
 */
export interface Store {
  /** For logs and errors, e.g. `sqlite:./data/app.db`. Never contains a password. */
  readonly description: string;

  /** Events of one stream with version greater than `afterVersion`, in version order. */
  readStream(entity: string, entityId: string, afterVersion: number): Promise<StoredEvent[]>;

  /** Up to `limit` events of every stream of `entity` with position greater than `after`, in position order. */
  readEvents(entity: string, after: number, limit: number): Promise<StoredEvent[]>;

  /** The position of the last event of `entity`, or 0 when it has none. */
  lastEventPosition(entity: string): Promise<number>;

  /** The recorded outcome of a command id, if that command was committed. */
  findCommand(commandId: string): Promise<CommandRecord | undefined>;

  /** A consumer's checkpoints in `source`, one entry per partition that has one. */
  loadCursor(consumer: string, source: string): Promise<CursorPartition[]>;

  /** One read-model document, or undefined. */
  getDocument(model: string, id: string): Promise<unknown>;

  /** Read-model documents whose top-level fields equal `query.where`: one page, in id order (see DocumentQuery). */
  findDocuments(model: string, query?: DocumentQuery): Promise<Array<{ id: string; doc: unknown }>>;

  /**
   * Writes `change` atomically. Throws `ConcurrencyError` — having written nothing — when a stream's version,
   * a command id or a checkpoint version was changed by someone else. Outgoing messages go to the outbox (or,
   * when the store is the bus's own database, straight into the topic log), in the order given.
   */
  commit(change: Change): Promise<void>;

  /**
   * Up to `limit` pending outbox messages, in outbox order (set-aside and discarded ones excluded). Empty when the
   * store writes to the log directly.
   */
  fetchOutbox(limit: number): Promise<OutboxRecord[]>;

  /** Marks outbox messages as sent; they are not returned again. */
  markSent(seqs: ReadonlyArray<number>): Promise<void>;

  /**
   * Sets aside outbox messages the bus refuses: each pending one becomes `failed` with its `error`, one more
   * attempt and `failedAt` = `at` (ISO-8601), and {@link Store.fetchOutbox} no longer returns it, so the messages
   * behind it move on. Messages that are not pending (already sent, discarded or set aside) are left as they are.
   */
  setAsideOutbox(failures: ReadonlyArray<OutboxFailure>, at: string): Promise<void>;

  /** Outbox messages matching `filter` (by default the `failed` ones), in outbox order. */
  listOutbox(filter?: OutboxFilter): Promise<OutboxEntry[]>;

  /** One outbox message by `seq`, whatever its status; undefined once it was sent. */
  getOutbox(seq: number): Promise<OutboxEntry | undefined>;

  /**
   * Discards a `failed` outbox message: it becomes `discarded` (kept for the record, never sent), with `by` and
   * `at` recorded. Returns it after the change, or undefined — changing nothing — when no failed message has
   * that `seq`.
   */
  discardOutbox(seq: number, by: string, at: string): Promise<OutboxEntry | undefined>;

  /**
   * Puts a `failed` outbox message back in the queue: it becomes `pending` at its old place (the relay sends it
   * before anything committed after it), keeping its attempts and last error, with `by` and `at` recorded.
   * Returns it after the change, or undefined — changing nothing — when no failed message has that `seq`.
   */
  retryOutbox(seq: number, by: string, at: string): Promise<OutboxEntry | undefined>;

  /**
   * Resolves when something of the kinds in `on` may have been committed (by this process or another), or after
   * `timeoutMs`, or when `signal` aborts. Never rejects; spurious wake-ups are allowed.
   * @param on What to wake for. @default every {@link StoreChange}
   */
  waitForChange(timeoutMs: number, signal?: AbortSignal, on?: ReadonlyArray<StoreChange>): Promise<void>;

  /** Every checkpoint row: which consumers exist and how far they are, for operators. */
  listCursors(): Promise<Array<{ consumer: string; source: string; partition: number; position: number }>>;

  /** How many events of `entity` have a position greater than `after` (a consumer's lag on an entity source). */
  countEventsAfter(entity: string, after: number): Promise<number>;

  // ---- parked queues and dead letters ------------------------------------------------------------------

  /** Keys of a consumer that have a parked queue in `source` (so they are blocked), with their partition. */
  loadParkedKeys(consumer: string, source: string): Promise<Array<{ key: string; partition: number }>>;

  /**
   * Up to `limit` parked messages of one key with position greater than `after`, in position order; with
   * `maxBytes`, no more than that many bytes of stored message, except that the first always comes (the rule of
   * `checkMaxBytes`).
   */
  readParked(
    consumer: string,
    source: string,
    key: string,
    after: number,
    limit: number,
    maxBytes?: number,
  ): Promise<ParkedMessage[]>;

  /** Dead letters of a consumer in `source` with an action due at or before `now`, oldest due first. */
  dueDeadLetters(consumer: string, source: string, now: number, limit: number): Promise<DeadLetter[]>;

  /** The earliest `dueAt` of a consumer's dead letters with an action in `source`, if any. */
  nextDeadLetterDue(consumer: string, source: string): Promise<number | undefined>;

  /** Dead letters matching `filter`, ordered by id. */
  listDeadLetters(filter?: DeadLetterFilter): Promise<DeadLetter[]>;

  getDeadLetter(id: string): Promise<DeadLetter | undefined>;

  // ---- timers and consumer states ----------------------------------------------------------------------

  /** Up to `limit` timers due at or before `now`, earliest first. */
  dueTimers(now: number, limit: number): Promise<TimerRecord[]>;

  /** The earliest timer's due time, if any. */
  nextTimerDue(): Promise<number | undefined>;

  /** Run states set for consumers (absent: running). */
  listConsumerStates(): Promise<ConsumerState[]>;

  // ---- consumer samples (throughput and lag over the last hour) ---------------------------------------

  /**
   * Writes samples in one transaction, outside any commit (they are for operators: losing one loses a point of
   * a chart, nothing else). A sample for a (consumer, source, partition, at) already stored adds its
   * `processed` to the stored one and replaces `lag` and `lagSeconds`, so an interval flushed twice (a stop
   * and a restart within it, a partition moving between instances) counts every message once. Deletes every
   * sample, of any consumer, with `at` before `pruneBefore`: the table stays bounded.
   */
  recordSamples(samples: ReadonlyArray<ConsumerSample>, pruneBefore: number): Promise<void>;

  /** Samples matching `filter`, ordered by consumer, source, `at` and partition. */
  listSamples(filter: ConsumerSampleFilter): Promise<ConsumerSample[]>;

  /** Partition leases shared by the instances of a service, when the store offers them (a table). */
  readonly leases?: LeaseStore;

  /**
   * Stable process names for the services on this store (see {@link InstanceSlots}); absent when the store
   * cannot tell a dead process from a live one (an in-memory database has one process anyway).
   */
  readonly instanceSlots?: InstanceSlots;

  /** Releases connections. Pending calls finish first. */
  close(): Promise<void>;
}
