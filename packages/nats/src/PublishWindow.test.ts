import { describe, expect, it } from 'vitest';
import { PublishWindow } from './PublishWindow.ts';

describe('PublishWindow', () => {
  it('bounds publishes by count, first come first served', async () => {
    const window = new PublishWindow(2, 1_000_000);
    expect(window.take(10)).toBeUndefined();
    expect(window.take(10)).toBeUndefined();
    const order: string[] = [];
    const third = window.take(10)?.then(() => order.push('third'));
    const fourth = window.take(10)?.then(() => order.push('fourth'));
    expect(third).toBeInstanceOf(Promise);
    expect(fourth).toBeInstanceOf(Promise);
    window.release(10);
    await third;
    expect(order).toEqual(['third']);
    window.release(10);
    await fourth;
    expect(order).toEqual(['third', 'fourth']);
  });

  it('bounds publishes by bytes, and lets a message larger than the bound go alone', async () => {
    const window = new PublishWindow(100, 1000);
    expect(window.take(600)).toBeUndefined();
    let second = false;
    const waiting = window.take(600)?.then(() => (second = true));
    expect(waiting).toBeInstanceOf(Promise);
    // A small one behind it waits too: room goes in order.
    const small = window.take(10);
    expect(small).toBeInstanceOf(Promise);
    window.release(600);
    await waiting;
    await small;
    expect(second).toBe(true);
    window.release(600);
    window.release(10);
    expect(window.take(5000)).toBeUndefined();
    expect(window.take(1)).toBeInstanceOf(Promise);
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new PublishWindow(0, 10)).toThrow(/positive integer/);
    expect(() => new PublishWindow(10, 1.5)).toThrow(/positive integer/);
  });
});
