import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureError, type Logger } from '@parley/core';
import type { NatsLocation } from './parseNatsUrl.ts';
import { PipelinedPublisher } from './PipelinedPublisher.ts';

/** An open connection and its JetStream handles. */
export interface NatsHandles {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Publishes with many acks in flight at little cost each. */
  readonly publisher: PipelinedPublisher;
}

export interface NatsLinkOptions {
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly name: string;
}

const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * One lazily opened NATS connection that outlives server restarts: the client reconnects forever with
 * exponential backoff (50 ms doubling to 2 s, plus jitter). While the server is away, requests time out and the
 * caller's operation fails (the core retries it); subscriptions come back by themselves on reconnect.
 * If the first connect fails, the next call tries again.
 */
export class NatsLink {
  private connecting: Promise<NatsHandles> | undefined;
  private readonly buckets = new Map<string, Promise<KV>>();
  private readonly reconnectListeners = new Set<() => void>();
  private closed = false;
  private reconnectAttempts = 0;

  constructor(
    private readonly location: NatsLocation,
    private readonly options: NatsLinkOptions,
  ) {}

  /** The connection, opened on first use. Rejects after `close`, or when the server cannot be reached. */
  handles(): Promise<NatsHandles> {
    if (this.closed) return Promise.reject(new Error(`NATS bus ${this.location.description} is closed`));
    if (this.connecting === undefined) {
      const connecting = this.open();
      this.connecting = connecting;
      connecting.catch(() => {
        if (this.connecting === connecting) this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  /** A KV bucket (created on first use) with one value per key. */
  bucket(name: string): Promise<KV> {
    let bucket = this.buckets.get(name);
    if (bucket === undefined) {
      bucket = this.handles().then(({ nc }) => new Kvm(nc).create(name, { history: 1, storage: 'file' }));
      const opening = bucket;
      opening.catch(() => {
        if (this.buckets.get(name) === opening) this.buckets.delete(name);
      });
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  /** Called after every reconnect (waiters wake up: they may have missed a notification). */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const connecting = this.connecting;
    this.connecting = undefined;
    this.buckets.clear();
    if (connecting === undefined) return;
    const handles = await connecting.catch(() => undefined);
    handles?.publisher.close();
    await handles?.nc.close();
  }

  private async open(): Promise<NatsHandles> {
    const { location, options } = this;
    const nc = await connect({
      servers: location.servers,
      name: options.name,
      ...(location.user === undefined ? {} : { user: location.user }),
      ...(location.pass === undefined ? {} : { pass: location.pass }),
      ...(location.token === undefined ? {} : { token: location.token }),
      timeout: options.requestTimeoutMs,
      maxReconnectAttempts: -1,
      reconnectDelayHandler: () => {
        const delay = Math.min(MAX_RECONNECT_DELAY_MS, 50 * 2 ** Math.min(this.reconnectAttempts++, 10));
        return delay + Math.random() * delay * 0.2;
      },
      pingInterval: 10_000,
      // Without this, every request (each JetStream publish is one) builds Error objects up front for a stack
      // trace it rarely needs: a sixth of the CPU of a publishing service. Parley's errors carry their context.
      noAsyncTraces: true,
    });
    if (this.closed) {
      await nc.close();
      throw new Error(`NATS bus ${location.description} is closed`);
    }
    void this.watch(nc);
    const jsOptions = { timeout: options.requestTimeoutMs };
    try {
      const jsm = await jetstreamManager(nc, jsOptions);
      return {
        nc,
        jsm,
        js: jetstream(nc, jsOptions),
        publisher: new PipelinedPublisher(nc, options.requestTimeoutMs),
      };
    } catch (error) {
      await nc.close();
      throw new Error(`NATS server ${location.description} has no JetStream: start it with -js`, {
        cause: error,
      });
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    const { logger } = this.options;
    try {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') logger.warn({ server: status.server }, 'NATS connection lost');
        else if (status.type === 'reconnect') {
          this.reconnectAttempts = 0;
          logger.info({ server: status.server }, 'NATS connection restored');
          for (const listener of this.reconnectListeners) listener();
        } else if (status.type === 'error') {
          logger.warn({ err: ensureError(status.error) }, 'NATS connection error');
        }
      }
    } catch (error) {
      logger.warn({ err: ensureError(error) }, 'NATS status stream failed');
    }
    // Only a close ends the status stream; unless the bus was closed, open a new connection on next use.
    const closedBy = await nc.closed();
    if (!this.closed) {
      logger.error({ err: closedBy }, 'NATS connection closed; reconnecting on next use');
      this.connecting = undefined;
      this.buckets.clear();
    }
  }
}
