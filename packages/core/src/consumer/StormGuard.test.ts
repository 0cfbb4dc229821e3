import { describe, expect, it } from 'vitest';
import { resolveStormGuard, StormGuard } from './StormGuard.ts';

describe('StormGuard', () => {
  it('trips when the parked share passes the threshold with enough parked keys', () => {
    const guard = new StormGuard(
      resolveStormGuard({ windowMs: 10_000, threshold: 0.5, minParked: 3 }, 'test'),
    );
    expect(guard.record(0, false)).toBeUndefined();
    expect(guard.record(1, true)).toBeUndefined();
    expect(guard.record(2, true)).toBeUndefined();
    expect(guard.record(3, true)).toMatch(/poison storm: 3 keys parked out of 4 messages/);
  });

  it('forgets what left the window', () => {
    const guard = new StormGuard(resolveStormGuard({ windowMs: 2000, threshold: 0.5, minParked: 2 }, 'test'));
    guard.record(0, true);
    expect(guard.record(5000, true)).toBeUndefined();
    expect(guard.record(5001, true)).toBeDefined();
  });

  it('stays quiet while most messages succeed', () => {
    const guard = new StormGuard(resolveStormGuard({ threshold: 0.5, minParked: 2 }, 'test'));
    for (let i = 0; i < 100; i++) guard.record(i, false);
    expect(guard.record(100, true)).toBeUndefined();
    expect(guard.record(101, true)).toBeUndefined();
  });
});
