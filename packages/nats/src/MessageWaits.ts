import { setMaxListeners } from 'node:events';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { NatsLink } from './NatsLink.ts';
import type { NatsNames } from './natsNames.ts';

/**
 * Wakes `waitForMessages` callers when the server routes a message to one of their topics. Each topic gets one
 * core subscription on `<prefix>.<topic>.*`, opened on the first wait and kept until close: JetStream publishes
 * are ordinary NATS messages, so the subscription sees every publish from any process as it happens. After a
 * reconnect every waiter wakes, since a publish may have gone by while the connection was down.
 */
export class MessageWaits {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly subscriptions = new Map<string, { nc: NatsConnection; sub: Subscription }>();
  private readonly closing = new AbortController();

  constructor(
    private readonly link: NatsLink,
    private readonly names: NatsNames,
  ) {
    link.onReconnect(() => this.wakeAll());
    // Every waiter listens to it: as many as there are waits at once.
    setMaxListeners(0, this.closing.signal);
  }

  /** Resolves on a publish to one of `topics`, after `timeoutMs`, on abort or on close; never rejects. */
  async wait(topics: ReadonlyArray<string>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || this.closing.signal.aborted) return;
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    for (const topic of topics) {
      let set = this.waiters.get(topic);
      if (set === undefined) this.waiters.set(topic, (set = new Set()));
      set.add(wake);
    }
    const timer = setTimeout(wake, Math.max(0, timeoutMs));
    signal?.addEventListener('abort', wake, { once: true });
    this.closing.signal.addEventListener('abort', wake, { once: true });
    try {
      // Subscribing after registering the waiter: a publish routed once the SUB is in misses no one.
      await this.subscribe(topics).catch(() => {});
      await woken;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      this.closing.signal.removeEventListener('abort', wake);
      for (const topic of topics) {
        const set = this.waiters.get(topic);
        set?.delete(wake);
        if (set?.size === 0) this.waiters.delete(topic);
      }
    }
  }

  close(): void {
    this.closing.abort();
    for (const { sub } of this.subscriptions.values()) sub.unsubscribe();
    this.subscriptions.clear();
  }

  private async subscribe(topics: ReadonlyArray<string>): Promise<void> {
    const { nc } = await this.link.handles();
    if (this.closing.signal.aborted) return;
    for (const topic of topics) {
      if (this.subscriptions.get(topic)?.nc === nc) continue;
      const sub = nc.subscribe(this.names.topicSubjects(topic), { callback: () => this.wake(topic) });
      this.subscriptions.set(topic, { nc, sub });
    }
  }

  private wake(topic: string): void {
    const set = this.waiters.get(topic);
    if (set === undefined) return;
    this.waiters.delete(topic);
    for (const wake of set) wake();
  }

  private wakeAll(): void {
    for (const topic of [...this.waiters.keys()]) this.wake(topic);
  }
}
