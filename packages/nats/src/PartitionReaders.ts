import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
} from '@nats-io/jetstream';
import {
  createInbox,
  nanos,
  nuid,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import type { NatsLink } from './NatsLink.ts';

/** A message pulled from a partition, with its stream sequence (its position). */
export interface PulledMessage {
  readonly seq: number;
  readonly msg: Msg;
}

export interface PartitionReadersOptions {
  /** Consumer names start with it, so operators can tell whose consumers they are. */
  readonly prefix: string;
  readonly requestTimeoutMs: number;
  /** @default 4 */
  readonly maxPerPartition?: number;
}

/** A server-side consumer positioned in one partition: the next pull returns what follows `cursor`. */
interface Reader {
  readonly stream: string;
  readonly subject: string;
  readonly name: string;
  readonly nc: NatsConnection;
  /** JetStream delivers pulled messages under their own subject: the reader's subscription is what routes them. */
  readonly inbox: string;
  readonly sub: Subscription;
  /** The pull in flight (a reader is busy while one is). */
  onMessage: ((msg: Msg) => void) | undefined;
  cursor: number;
  busy: boolean;
  lastUsed: number;
}

// The server forgets a reader idle this long; the client stops reusing one well before.
const SERVER_IDLE_MS = 5 * 60_000;
const CLIENT_IDLE_MS = 2 * 60_000;

/**
 * Reads partitions through small pools of ephemeral pull consumers (ack none, in memory, filtered to one
 * partition's subject). A read that continues where a pooled consumer stopped — the usual case: a consumer group
 * reading on from its last batch — costs one no-wait pull request; any other position gets a new consumer
 * starting there. No message is ever acknowledged: positions are kept by the groups in their own stores.
 */
export class PartitionReaders {
  private readonly pools = new Map<string, Reader[]>();

  constructor(
    private readonly link: NatsLink,
    private readonly options: PartitionReadersOptions,
  ) {}

  /**
   * Up to `limit` messages of `subject` with stream sequence above `after`, in order, within `maxBytes` as the
   * server counts a message (subject, headers and body) — the first one always.
   */
  async read(
    stream: string,
    subject: string,
    after: number,
    limit: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<PulledMessage[]> {
    if (limit === 0) return [];
    const first = await this.acquire(stream, subject, after);
    try {
      return await this.pullFrom(first.reader, limit, maxBytes);
    } catch (error) {
      this.discard(first.reader);
      if (first.created !== undefined || !isGone(error)) throw error;
    }
    // A reused consumer may have been removed by the server (restart, idle): one more try on a new one.
    const { reader } = await this.acquire(stream, subject, after, { fresh: true });
    try {
      return await this.pullFrom(reader, limit, maxBytes);
    } catch (error) {
      this.discard(reader);
      throw error;
    }
  }

  /** How many messages of `subject` have a stream sequence above `after`. */
  async countAfter(stream: string, subject: string, after: number): Promise<number> {
    const first = await this.acquire(stream, subject, after);
    try {
      if (first.created !== undefined) return first.created;
      const { jsm } = await this.link.handles();
      return (await jsm.consumers.info(stream, first.reader.name)).num_pending;
    } catch (error) {
      this.discard(first.reader);
      if (first.created !== undefined || !isGone(error)) throw error;
    } finally {
      this.release(first.reader);
    }
    const { reader, created } = await this.acquire(stream, subject, after, { fresh: true });
    this.release(reader);
    return created ?? 0;
  }

  /** Forgets the readers of a stream (after it was deleted or purged below them). */
  forget(stream: string): void {
    for (const [key, pool] of this.pools) {
      if (!key.startsWith(`${stream} `)) continue;
      for (const reader of pool) if (!reader.busy) this.discard(reader);
    }
  }

  /** Deletes every consumer this process made and stops routing replies. */
  async close(): Promise<void> {
    const readers = [...this.pools.values()].flat();
    this.pools.clear();
    for (const reader of readers) reader.sub.unsubscribe();
    await Promise.all(readers.map((reader) => this.deleteConsumer(reader)));
  }

  private async acquire(
    stream: string,
    subject: string,
    after: number,
    { fresh = false } = {},
  ): Promise<{ reader: Reader; created?: number }> {
    const key = `${stream} ${subject}`;
    const pool = this.pools.get(key) ?? [];
    this.pools.set(key, pool);
    const { jsm, nc } = await this.link.handles();
    const now = Date.now();
    for (const reader of [...pool]) {
      if (!reader.busy && (now - reader.lastUsed > CLIENT_IDLE_MS || reader.nc !== nc)) this.discard(reader);
    }
    if (!fresh) {
      const idle = pool.find((reader) => !reader.busy && reader.cursor === after);
      if (idle !== undefined) {
        idle.busy = true;
        return { reader: idle };
      }
    }
    const name = `${this.options.prefix}-read-${nuid.next()}`;
    const info = await jsm.consumers.add(stream, {
      name,
      filter_subject: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
      ack_policy: AckPolicy.None,
      replay_policy: ReplayPolicy.Instant,
      inactive_threshold: nanos(SERVER_IDLE_MS),
      mem_storage: true,
      num_replicas: 1,
    });
    const inbox = createInbox();
    const reader: Reader = {
      stream,
      subject,
      name,
      nc,
      inbox,
      sub: nc.subscribe(inbox, {
        callback: (error, msg) => {
          if (error === null) reader.onMessage?.(msg);
        },
      }),
      onMessage: undefined,
      cursor: after,
      busy: true,
      lastUsed: Date.now(),
    };
    const idle = pool.filter((r) => !r.busy).sort((a, b) => a.lastUsed - b.lastUsed);
    for (let excess = pool.length + 1 - (this.options.maxPerPartition ?? 4); excess > 0; excess--) {
      const oldest = idle.shift();
      if (oldest !== undefined) this.discard(oldest);
    }
    pool.push(reader);
    return { reader, created: info.num_pending };
  }

  private async pullFrom(reader: Reader, limit: number, maxBytes: number): Promise<PulledMessage[]> {
    const pulled = await this.pull(reader, limit, maxBytes);
    // The server holds back a message larger than the pull's max_bytes (and does not consume it): when it is the
    // first, it comes alone in a pull without a budget, or the partition would never move past it.
    const batch =
      pulled.messages.length === 0 && pulled.overBudget
        ? (await this.pull(reader, 1, Number.POSITIVE_INFINITY)).messages
        : pulled.messages;
    const last = batch.at(-1);
    if (last !== undefined) reader.cursor = last.seq;
    this.release(reader);
    return batch;
  }

  private release(reader: Reader): void {
    reader.busy = false;
    reader.lastUsed = Date.now();
  }

  private discard(reader: Reader): void {
    const key = `${reader.stream} ${reader.subject}`;
    const pool = this.pools.get(key);
    const index = pool?.indexOf(reader) ?? -1;
    if (index < 0) return;
    pool?.splice(index, 1);
    if (pool?.length === 0) this.pools.delete(key);
    reader.sub.unsubscribe();
    void this.deleteConsumer(reader);
  }

  private async deleteConsumer(reader: Reader): Promise<void> {
    try {
      const { jsm } = await this.link.handles();
      await jsm.consumers.delete(reader.stream, reader.name);
    } catch {
      // Best effort: the server removes an idle reader by itself after SERVER_IDLE_MS.
    }
  }

  /**
   * One no-wait pull: what the consumer has now, up to `limit` and `maxBytes`, ended by the server's 404/408
   * status, or by its 409 when the next message would go past `maxBytes` (`overBudget`).
   */
  private async pull(
    reader: Reader,
    limit: number,
    maxBytes: number,
  ): Promise<{ messages: PulledMessage[]; overBudget: boolean }> {
    const messages: PulledMessage[] = [];
    let overBudget = false;
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        reader.onMessage = undefined;
        if (error === undefined) resolve({ messages, overBudget });
        else reject(error);
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `NATS pull from ${reader.stream}/${reader.subject} timed out after ${this.options.requestTimeoutMs} ms`,
            ),
          ),
        this.options.requestTimeoutMs,
      );
      reader.onMessage = (msg) => {
        const code = msg.headers?.code ?? 0;
        if (code !== 0 && msg.data.length === 0) {
          overBudget = code === 409 && /max ?bytes/i.test(msg.headers?.description ?? '');
          if (code === 404 || code === 408 || overBudget) finish();
          else finish(new PullError(code, msg.headers?.description ?? ''));
          return;
        }
        const seq = streamSequence(msg.reply);
        if (seq === undefined) {
          finish(new Error(`NATS pull from ${reader.stream}: no stream sequence in reply ${msg.reply}`));
          return;
        }
        messages.push({ seq, msg });
        if (messages.length >= limit) finish();
      };
      try {
        reader.nc.publish(
          `$JS.API.CONSUMER.MSG.NEXT.${reader.stream}.${reader.name}`,
          JSON.stringify({
            batch: limit,
            no_wait: true,
            ...(maxBytes === Number.POSITIVE_INFINITY ? {} : { max_bytes: maxBytes }),
          }),
          { reply: reader.inbox },
        );
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}

/** The server answered a pull with an error status (e.g. 409 consumer deleted, 503 no responders). */
class PullError extends Error {
  constructor(
    readonly code: number,
    description: string,
  ) {
    super(`NATS pull failed: ${code} ${description}`);
    this.name = 'PullError';
  }
}

function isGone(error: unknown): boolean {
  if (error instanceof PullError) return error.code === 409 || error.code === 503;
  if (error instanceof JetStreamApiError) return error.code === JetStreamApiCodes.ConsumerNotFound;
  return error instanceof Error && /timed out/.test(error.message);
}

/**
 * The stream sequence from a JetStream ack subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>…` (9 tokens)
 * or, with domain and account hash, `$JS.ACK.<domain>.<hash>.<stream>.<consumer>.<delivered>.<sseq>…` (12+).
 */
export function streamSequence(reply: string | undefined): number | undefined {
  const tokens = reply?.split('.') ?? [];
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK') return undefined;
  const token = tokens.length === 9 ? tokens[5] : tokens.length >= 12 ? tokens[7] : undefined;
  const seq = Number(token);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}
