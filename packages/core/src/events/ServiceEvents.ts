import type { Conflict } from '../errors/ConcurrencyError.ts';
import type { DeadLetter } from '../ports/DeadLetter.ts';
import type { OutboxRecord } from '../ports/OutgoingMessage.ts';

/** Lifecycle events of a service, for metrics, tests and operators. */
export interface ServiceEvents {
  /**
   * A consumer committed a batch of handled messages (`messages` counts those of its source; a batch may carry
   * none, e.g. only a parked key's retry). `seconds`: how long the store took to commit it.
   */
  'consumer:committed': { consumer: string; source: string; messages: number; seconds: number };
  /**
   * A handler attempt ended, retries included: how long the handler ran, and what it threw (`undefined` when it
   * returned). Emitted before the attempt's effects commit.
   */
  'consumer:processed': {
    consumer: string;
    source: string;
    type: string;
    seconds: number;
    error: Error | undefined;
  };
  /**
   * A handler failed. `retry` says what comes next: `immediate` (tried again at once, in process), `delayed` (its
   * key parks until a durable timer tries it again) or `null` (a domain error, or retries are exhausted: see
   * `consumer:dead-lettered`).
   */
  'consumer:failed': {
    consumer: string;
    source: string;
    messageId: string;
    type: string;
    key: string;
    attempt: number;
    error: Error;
    retry: 'immediate' | 'delayed' | null;
  };
  /** A message could not be decoded or validated. */
  'consumer:invalid': { consumer: string; source: string; partition: number; position: number; error: Error };
  /** A commit lost a race with another writer; uncommitted work is redone from the checkpoint. */
  'consumer:rewound': { consumer: string; conflict: Conflict };
  /** A message was dead-lettered (parked, skipped or escalated). */
  'consumer:dead-lettered': { consumer: string; deadLetter: DeadLetter };
  /** A consumer was paused: by an operator, the `stop` policy or the poison-storm guard. An alert. */
  'consumer:paused': { consumer: string; reason: string };
  'consumer:resumed': { consumer: string };
  /** The partitions this instance owns for a consumer changed (an instance joined, left or died). */
  'consumer:rebalanced': { consumer: string; partitions: number[] };
  /** Retention held back messages a registered consumer group has not processed yet. An alert. */
  'topic:retention-held': { topic: string; partition: number; held: number; laggingGroup: string | null };
  /**
   * Messages of one topic committed for sending — published, or written by a handler, a command's publications
   * or a workflow: in the topic's log at once, or in the outbox for the relay (see `relay:published`).
   */
  'messages:sent': { topic: string; messages: number };
  /** The outbox relay published messages to the bus. */
  'relay:published': { messages: number };
  /**
   * The outbox relay could not send messages. An alert. `setAside` holds the messages the bus refuses (unknown
   * topic, partition out of range): they leave the queue as `failed` (see `parley outbox`) and the messages behind
   * them go on. When it is empty the bus failed as a whole (e.g. unreachable): nothing is set aside and the relay
   * tries again in `retryInMs`, keeping the order.
   */
  'relay:failed': {
    error: Error;
    setAside: ReadonlyArray<Omit<OutboxRecord, 'payload' | 'headers'> & { reason: string }>;
    retryInMs: number | null;
  };
}
