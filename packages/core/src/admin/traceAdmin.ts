import { deriveMessageId } from '../ids/MessageId.ts';
import type { Bus } from '../ports/Bus.ts';
import type { DeadLetter } from '../ports/DeadLetter.ts';
import type { LogRecord, OutboxEntry } from '../ports/OutgoingMessage.ts';
import type { Store } from '../ports/Store.ts';

/** What happened to one message of a saga, in the order it happened. */
export type TraceStep =
  | {
      readonly kind: 'published';
      /** The consumer group whose handler published it, when the message's id or command id tells; else undefined. */
      readonly by: string | undefined;
      /** True when it went to the `replyTo` topic of the message that caused it. */
      readonly reply: boolean;
      readonly message: LogRecord;
    }
  | { readonly kind: 'consumed'; readonly group: string; readonly message: LogRecord }
  | {
      readonly kind: 'failed';
      readonly group: string;
      readonly deadLetter: DeadLetter;
      /** The topic message it came from, when it is in the trace. */
      readonly message: LogRecord | undefined;
    }
  | { readonly kind: 'outbox'; readonly entry: OutboxEntry };

/** The messages of one saga across services: everything with one correlation id. */
export interface SagaTrace {
  readonly correlationId: string;
  /** Topic messages, in log order. */
  readonly messages: ReadonlyArray<LogRecord>;
  /** Their dead letters (in this store). */
  readonly deadLetters: ReadonlyArray<DeadLetter>;
  /** Outbox messages not sent yet (pending, set aside or discarded). */
  readonly outbox: ReadonlyArray<OutboxEntry>;
  readonly steps: ReadonlyArray<TraceStep>;
  /** False when the bus cannot search its messages (then only the store's part is shown). */
  readonly searchedBus: boolean;
  /** True when more messages exist than the trace shows. */
  readonly truncated: boolean;
}

const MAX_MESSAGES = 500;
const PAGE = 1000;
/** Messages a handler publishes while handling one message, at most, tried when attributing a publish. */
const MAX_DERIVED = 32;

/**
 * One saga's messages by correlation id: the bus's messages with that `correlationId` header (published, and
 * consumed by each group whose progress passed them), the store's dead letters (failed, redriven, discarded …)
 * and outbox messages not sent yet. Dead letters and outbox rows are read a page at a time and filtered.
 */
export async function traceByCorrelation(
  store: Store,
  bus: Bus | undefined,
  correlationId: string,
): Promise<SagaTrace> {
  const found =
    bus?.findCorrelated === undefined ? undefined : await bus.findCorrelated(correlationId, MAX_MESSAGES + 1);
  const messages = (found ?? []).slice(0, MAX_MESSAGES);
  const [deadLetters, outbox, progress] = await Promise.all([
    correlatedDeadLetters(store, correlationId),
    correlatedOutbox(store, correlationId),
    bus === undefined ? Promise.resolve([]) : bus.listProgress(),
  ]);
  const byId = new Map(messages.map((m) => [m.id, m]));
  /** The groups past a message in its partition: those that handled it. */
  const handlersOf = (m: LogRecord): string[] =>
    progress
      .filter((p) => p.topic === m.topic && p.partition === m.partition && p.position >= m.position)
      .map((p) => p.group);
  const steps: TraceStep[] = [];
  for (const message of messages) {
    const cause =
      message.headers.causationId === undefined ? undefined : byId.get(message.headers.causationId);
    steps.push({
      kind: 'published',
      by: cause === undefined ? undefined : publisherOf(message, cause, handlersOf(cause)),
      reply: cause?.headers.replyTo === message.topic,
      message,
    });
    const failedHere = deadLetters.filter(
      (d) => d.message.id === message.id && d.message.source === message.topic,
    );
    for (const p of progress) {
      if (p.topic !== message.topic || p.partition !== message.partition || p.position < message.position)
        continue;
      if (failedHere.some((d) => d.consumer === p.group)) continue;
      steps.push({ kind: 'consumed', group: p.group, message });
    }
    for (const deadLetter of failedHere)
      steps.push({ kind: 'failed', group: deadLetter.consumer, deadLetter, message });
  }
  for (const deadLetter of deadLetters) {
    if (!messages.some((m) => m.id === deadLetter.message.id && m.topic === deadLetter.message.source))
      steps.push({ kind: 'failed', group: deadLetter.consumer, deadLetter, message: undefined });
  }
  for (const entry of outbox) steps.push({ kind: 'outbox', entry });
  return {
    correlationId,
    messages,
    deadLetters,
    outbox,
    steps,
    searchedBus: found !== undefined,
    truncated: (found?.length ?? 0) > MAX_MESSAGES,
  };
}

/**
 * Which group's handler published `message` while handling `cause`, among the groups that handled `cause`: the
 * one whose name the ids derive from (a handler's publishes, replies and commands get ids derived from the
 * source message's id and the consumer's name), else the only one, else undefined.
 */
function publisherOf(
  message: LogRecord,
  cause: LogRecord,
  groups: ReadonlyArray<string>,
): string | undefined {
  for (const group of groups) {
    for (let index = 0; index < MAX_DERIVED; index++) {
      if (deriveMessageId(cause.id, `${group}/publish`, index) === message.id) return group;
      if (deriveMessageId(cause.id, `${group}/command`, index) === message.headers.commandId) return group;
    }
    if (deriveMessageId(cause.id, `${group}/reply`, 0) === message.id) return group;
  }
  return groups.length === 1 ? groups[0] : undefined;
}

async function correlatedDeadLetters(store: Store, correlationId: string): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listDeadLetters({ limit: PAGE, ...(after === undefined ? {} : { after }) });
    for (const d of page) if (d.message.headers.correlationId === correlationId) out.push(d);
    if (page.length < PAGE) return out;
    after = page.at(-1)?.id;
  }
}

async function correlatedOutbox(store: Store, correlationId: string): Promise<OutboxEntry[]> {
  const out: OutboxEntry[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await store.listOutbox({
      status: ['pending', 'failed', 'discarded'],
      limit: PAGE,
      ...(after === undefined ? {} : { after }),
    });
    for (const entry of page) if (entry.headers.correlationId === correlationId) out.push(entry);
    if (page.length < PAGE) return out;
    after = page.at(-1)?.seq;
  }
}
