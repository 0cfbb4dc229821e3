import type { Clock } from '../clock/Clock.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import type { OutboxEntry, OutboxFilter } from '../ports/OutgoingMessage.ts';
import type { Store } from '../ports/Store.ts';
import { actorArgument, countArgument, outboxFilterArgument } from './adminArguments.ts';

/** Operations on a service's outbox: the messages the relay set aside because the bus refuses them. */
export interface OutboxAdmin {
  /** Outbox messages matching `filter`, by default the `failed` ones, in outbox order. */
  list(filter?: OutboxFilter): Promise<OutboxEntry[]>;
  /** @throws ParleyError `NOT_FOUND` when no message has that `seq` (it was sent, or never existed) */
  show(seq: number): Promise<OutboxEntry>;
  /**
   * Drops a `failed` message: it is never sent and stays listed as `discarded`, with who did it and when.
   * @throws ParleyError `NOT_FOUND`, or `NOT_DISCARDABLE` when it is not `failed`
   */
  discard(seq: number, actor: { by: string }): Promise<OutboxEntry>;
  /**
   * Puts a `failed` message back in the queue, at its old place: the relay tries it again (after, say, the
   * missing topic was created). If the bus still refuses it, it is set aside again.
   * @throws ParleyError `NOT_FOUND`, or `NOT_RETRYABLE` when it is not `failed`
   */
  retry(seq: number, actor: { by: string }): Promise<OutboxEntry>;
  /**
   * The outbox by destination topic: the backlog waiting for the relay (and since when), the messages set aside
   * because the bus refused them, and those discarded. Reads every row not sent yet, a page at a time.
   */
  summary(): Promise<OutboxTopicSummary[]>;
}

/** One destination topic's part of the outbox. */
export interface OutboxTopicSummary {
  readonly topic: string;
  /** Waiting for the relay. */
  readonly pending: number;
  /** ISO-8601 `occurredAt` of the oldest pending message, or null. */
  readonly oldestPending: string | null;
  /** Set aside: the bus refused them (relay failures). */
  readonly failed: number;
  readonly discarded: number;
}

const SUMMARY_PAGE = 1000;

/** The outbox part of the admin API (see `createAdmin`). */
export function outboxAdmin(store: Store, clock: Clock): OutboxAdmin {
  const load = async (seq: number): Promise<OutboxEntry> => {
    countArgument(seq, 'seq', 1);
    const found = await store.getOutbox(seq);
    if (found === undefined)
      throw new ParleyError('NOT_FOUND', `no outbox message ${seq}: it was sent, or never existed`);
    return found;
  };

  const act = async (
    seq: number,
    by: string,
    code: string,
    done: string,
    change: (seq: number, by: string, at: string) => Promise<OutboxEntry | undefined>,
  ): Promise<OutboxEntry> => {
    const before = await load(seq);
    const after =
      before.status === 'failed' ? await change(seq, by, new Date(clock.now()).toISOString()) : undefined;
    if (after === undefined) {
      const now = await store.getOutbox(seq);
      throw new ParleyError(
        code,
        `outbox message ${seq} is ${now?.status ?? 'sent'}: only failed messages can be ${done}`,
      );
    }
    return after;
  };

  return {
    list: async (filter) => store.listOutbox(outboxFilterArgument(filter)),
    show: load,
    discard: async (seq, actor) =>
      act(seq, actorArgument(actor).by, 'NOT_DISCARDABLE', 'discarded', (s, by, at) =>
        store.discardOutbox(s, by, at),
      ),
    retry: async (seq, actor) =>
      act(seq, actorArgument(actor).by, 'NOT_RETRYABLE', 'retried', (s, by, at) =>
        store.retryOutbox(s, by, at),
      ),
    async summary() {
      const topics = new Map<
        string,
        { pending: number; oldestPending: string | null; failed: number; discarded: number }
      >();
      let after: number | undefined;
      for (;;) {
        const page = await store.listOutbox({
          status: ['pending', 'failed', 'discarded'],
          limit: SUMMARY_PAGE,
          ...(after === undefined ? {} : { after }),
        });
        for (const entry of page) {
          let topic = topics.get(entry.topic);
          if (topic === undefined)
            topics.set(entry.topic, (topic = { pending: 0, oldestPending: null, failed: 0, discarded: 0 }));
          topic[entry.status]++;
          if (
            entry.status === 'pending' &&
            (topic.oldestPending === null || entry.occurredAt < topic.oldestPending)
          )
            topic.oldestPending = entry.occurredAt;
        }
        if (page.length < SUMMARY_PAGE) break;
        after = page.at(-1)?.seq;
      }
      return [...topics]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([topic, counts]) => ({ topic, ...counts }));
    },
  };
}
