import { describe, expect, it } from 'vitest';
import { whenAll } from './whenAll.ts';

describe('whenAll', () => {
  it('returns plain values as they are, without a promise', () => {
    const items = [1, 2, 3];
    expect(whenAll(items)).toBe(items);
  });

  it('waits for the promises among the values, keeping order', async () => {
    expect(await whenAll([1, Promise.resolve(2), 3])).toEqual([1, 2, 3]);
  });

  it('rejects with the first failure', async () => {
    await expect(whenAll([1, Promise.reject(new Error('no'))])).rejects.toThrow('no');
  });
});
