import { describe, expect, it } from 'vitest';
import { Signal } from './Signal.ts';

const within = (promise: Promise<void>, ms: number): Promise<boolean> =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('Signal', () => {
  it('wakes a waiter at notify', async () => {
    const signal = new Signal();
    const waiting = signal.wait(10_000);
    signal.notify();
    expect(await within(waiting, 100)).toBe(true);
  });

  it('keeps a notify made while nobody waits for the next wait, once', async () => {
    const signal = new Signal();
    signal.notify();
    expect(await within(signal.wait(10_000), 100)).toBe(true);
    expect(await within(signal.wait(10_000), 100)).toBe(false);
  });

  it('does not lose a notify that follows a wait which timed out', async () => {
    const signal = new Signal();
    await signal.wait(5);
    signal.notify();
    expect(await within(signal.wait(10_000), 100)).toBe(true);
  });

  it('does not lose a notify that follows a wait which was aborted', async () => {
    const signal = new Signal();
    const abort = new AbortController();
    const waiting = signal.wait(10_000, abort.signal);
    abort.abort();
    await waiting;
    signal.notify();
    expect(await within(signal.wait(10_000), 100)).toBe(true);
  });

  it('wakes every waiter of one notify', async () => {
    const signal = new Signal();
    const both = Promise.all([signal.wait(10_000), signal.wait(10_000)]).then(() => {});
    signal.notify();
    expect(await within(both, 100)).toBe(true);
  });
});
