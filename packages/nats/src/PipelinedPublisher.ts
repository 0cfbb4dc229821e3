import { JetStreamApiError, type PubAck } from '@nats-io/jetstream';
import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

interface Pending {
  readonly subject: string;
  readonly deadline: number;
  resolve(ack: PubAck): void;
  reject(error: Error): void;
}

const decoder = new TextDecoder();

/**
 * JetStream publishes sent as plain NATS messages with a reply subject, their acks all arriving on one
 * subscription. This is what `JetStreamClient.publish` does, without what it costs per message when thousands are
 * in flight: a request object, a timer and a promise race each, and an error object built for every ack. One
 * timer covers every deadline.
 *
 * Acks are matched by reply subject, so they may come in any order; a publish with no ack within `timeoutMs`
 * rejects (it may still have been stored). A publish to a subject no stream takes rejects at once (the server's
 * no-responders status).
 */
export class PipelinedPublisher {
  private readonly prefix = `${createInbox()}.`;
  private readonly sub: Subscription;
  private readonly pending = new Map<string, Pending>();
  private next = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.sub = nc.subscribe(`${this.prefix}*`, {
      callback: (error, msg) => {
        if (error === null) this.acknowledge(msg);
      },
    });
  }

  /**
   * Sends `data` to `subject` with `headers` (which carry the JetStream expectations) and resolves with the
   * stream's ack; rejects with a `JetStreamApiError` when the stream refuses the message.
   */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<PubAck> {
    const token = (this.next++).toString(36);
    return new Promise<PubAck>((resolve, reject) => {
      this.pending.set(token, { subject, deadline: Date.now() + this.timeoutMs, resolve, reject });
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers });
      } catch (error) {
        this.pending.delete(token);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.timer ??= setTimeout(() => this.expire(), this.timeoutMs).unref();
    });
  }

  /** Rejects whatever is still waiting and stops receiving acks. */
  close(): void {
    this.sub.unsubscribe();
    clearTimeout(this.timer);
    this.timer = undefined;
    const error = new Error('NATS connection closed before the publish was acknowledged');
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  private acknowledge(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.pending.get(token);
    if (waiting === undefined) return; // timed out already
    this.pending.delete(token);
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      waiting.reject(new Error(`no JetStream stream takes subject ${waiting.subject}`));
      return;
    }
    let reply: { stream?: string; seq?: number; duplicate?: boolean; error?: ApiError };
    try {
      reply = JSON.parse(decoder.decode(msg.data)) as typeof reply;
    } catch (error) {
      waiting.reject(new Error(`unreadable JetStream ack for ${waiting.subject}`, { cause: error }));
      return;
    }
    if (reply.error !== undefined) waiting.reject(new JetStreamApiError(reply.error));
    else if (typeof reply.stream !== 'string' || typeof reply.seq !== 'number') {
      waiting.reject(new Error(`invalid JetStream ack for ${waiting.subject}`));
    } else {
      waiting.resolve({
        stream: reply.stream,
        seq: reply.seq,
        duplicate: reply.duplicate === true,
      });
    }
  }

  /** Map order is send order, and every publish has the same timeout: the expired ones are at the front. */
  private expire(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const [token, waiting] of this.pending) {
      if (waiting.deadline > now) {
        this.timer = setTimeout(() => this.expire(), waiting.deadline - now).unref();
        return;
      }
      this.pending.delete(token);
      waiting.reject(
        new Error(`JetStream publish to ${waiting.subject} not acknowledged within ${this.timeoutMs} ms`),
      );
    }
  }
}

interface ApiError {
  code: number;
  err_code: number;
  description: string;
}
