import { describe, expect, it } from 'vitest';
import { DeadlockError, ResourceLocks } from './ResourceLocks.ts';

describe('ResourceLocks', () => {
  it('lets a lane see its own uncommitted values and makes other lanes wait', async () => {
    const locks = new ResourceLocks();
    await locks.acquire('x', 'lane-a', 1);
    locks.push('x', 1, 'a1');
    locks.finished(1, ['x']);
    await locks.acquire('x', 'lane-a', 2);
    expect(locks.top('x')).toEqual({ value: 'a1' });

    let bGot = false;
    const b = locks.acquire('x', 'lane-b', 3).then(() => (bGot = true));
    await Promise.resolve();
    expect(bGot).toBe(false);
    const settled: unknown[] = [];
    locks.committed(1, ['x'], (_key, value) => settled.push(value));
    locks.finished(2, ['x']);
    await b;
    expect(bGot).toBe(true);
    expect(settled).toEqual(['a1']);
    expect(locks.top('x')).toBeUndefined();
  });

  it('drops a discarded unit’s values', async () => {
    const locks = new ResourceLocks();
    await locks.acquire('x', 'a', 1);
    locks.push('x', 1, 'v');
    locks.discarded(1, ['x']);
    expect(locks.top('x')).toBeUndefined();
    expect(locks.size).toBe(0);
  });

  it('refuses a wait that closes a cycle', async () => {
    const locks = new ResourceLocks();
    await locks.acquire('x', 'a', 1);
    await locks.acquire('y', 'b', 2);
    const aWaits = locks.acquire('y', 'a', 1);
    await expect(locks.acquire('x', 'b', 2)).rejects.toBeInstanceOf(DeadlockError);
    locks.discarded(2, ['y']);
    await aWaits;
  });
});
