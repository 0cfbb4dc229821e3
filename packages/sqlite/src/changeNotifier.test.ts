import { silentLogger } from '@parley/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChangeNotifier, type ChangeSignal } from './changeNotifier.ts';

const events = (signal: ChangeSignal): boolean => signal.table === 'events';

describe('createChangeNotifier', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('wakes the waiters whose interest matches, and only them', async () => {
    const changes = createChangeNotifier({ logger: silentLogger });
    let outboxWoke = false;
    const eventsWait = changes.wait(events, 60_000, []);
    const outboxWait = changes.wait((s) => s.table === 'outbox', 60_000, []).then(() => (outboxWoke = true));
    changes.notify([{ table: 'events' }]);
    await eventsWait;
    expect(outboxWoke).toBe(false);
    changes.close();
    await outboxWait;
  });

  it('resolves on timeout, on abort, at once when already aborted, and on close', async () => {
    vi.useFakeTimers();
    const changes = createChangeNotifier({ logger: silentLogger });
    const timedOut = changes.wait(events, 100, []);
    await vi.advanceTimersByTimeAsync(100);
    await expect(timedOut).resolves.toBeUndefined();

    const controller = new AbortController();
    const aborted = changes.wait(events, 60_000, [undefined, controller.signal]);
    controller.abort(new Error('stop'));
    await expect(aborted).resolves.toBeUndefined();
    await expect(changes.wait(events, 60_000, [controller.signal])).resolves.toBeUndefined();

    const pending = changes.wait(events, 60_000, []);
    changes.close();
    await expect(pending).resolves.toBeUndefined();
    await expect(changes.wait(events, 60_000, [])).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('polls with one timer for all waiters, backs off while idle, and stops when nobody waits', async () => {
    vi.useFakeTimers();
    const detect = vi.fn((): ChangeSignal[] => []);
    const changes = createChangeNotifier({ detect, minPollMs: 2, maxPollMs: 50, logger: silentLogger });
    const first = changes.wait(events, 1000, []);
    const second = changes.wait(events, 1000, []);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all([first, second]);
    // 2 + 4 + 8 + 16 + 32 ms, then every 50 ms: about 25 polls in a second, shared by both waiters.
    expect(detect.mock.calls.length).toBeGreaterThan(15);
    expect(detect.mock.calls.length).toBeLessThan(30);
    const calls = detect.mock.calls.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(detect.mock.calls.length).toBe(calls);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wakes waiters on what the poll detects', async () => {
    vi.useFakeTimers();
    let pending: ChangeSignal[] = [];
    const changes = createChangeNotifier({
      detect: () => pending.splice(0),
      logger: silentLogger,
    });
    let woke = false;
    const wait = changes.wait(events, 60_000, []).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(200);
    expect(woke).toBe(false);
    pending = [{ table: 'events' }];
    await vi.advanceTimersByTimeAsync(50);
    await wait;
    expect(woke).toBe(true);
  });
});
