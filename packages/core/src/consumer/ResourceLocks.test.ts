import { describe, expect, it } from 'vitest';
import { DeadlockError, ResourceLocks } from './ResourceLocks.ts';

describe('ResourceLocks', () => {
  it('lets lanes of one group build on a finished unit’s uncommitted value at once', async () => {
    const locks = new ResourceLocks();
    await locks.acquire('x', 'a', 1, 'g');
    locks.push('x', 1, 'a1');
    let bGot = false;
    const b = locks.acquire('x', 'b', 2, 'g').then(() => (bGot = true));
    await Promise.resolve();
    expect(bGot).toBe(false);
    locks.finished(1, ['x']);
    await b;
    expect(locks.top('x')).toEqual({ value: 'a1' });
  });

  it('makes other groups wait until the value is committed, and hands them the committed value', async () => {
    const locks = new ResourceLocks();
    await locks.acquire('x', 'a', 1, 'g');
    locks.push('x', 1, 'a1');
    locks.finished(1, ['x']);
    let otherGot = false;
    const other = locks.acquire('x', 'api', 3, 'api').then(() => (otherGot = true));
    await Promise.resolve();
    expect(otherGot).toBe(false);
    const settled: unknown[] = [];
    locks.committed(1, ['x'], (_key, value) => settled.push(value));
    await other;
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

  it('forgets a whole group after a rewind and wakes its waiters', async () => {
    const locks = new ResourceLocks();
    await locks.acquire('x', 'g/a', 1, 'g/');
    locks.push('x', 1, 'v');
    const waiting = locks.acquire('x', 'h/b', 2, 'h/');
    locks.releaseGroup('g/');
    await waiting;
    expect(locks.top('x')).toBeUndefined();
  });
});
