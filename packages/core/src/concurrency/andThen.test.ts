import { describe, expect, it } from 'vitest';
import { andThen } from './andThen.ts';

describe('andThen', () => {
  it('applies the step at once to a plain value, without a promise', () => {
    expect(andThen(2, (n) => n * 3)).toBe(6);
  });

  it('applies the step after a promise resolves', async () => {
    const result = andThen(Promise.resolve(2), (n) => n * 3);
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe(6);
  });

  it('passes a rejection on without calling the step', async () => {
    let called = false;
    await expect(
      andThen(Promise.reject(new Error('no')), () => {
        called = true;
      }),
    ).rejects.toThrow('no');
    expect(called).toBe(false);
  });
});
