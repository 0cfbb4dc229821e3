import { describe, expect, it } from 'vitest';
import { murmur3x86128 } from './murmur3x86128.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('murmur3x86128', () => {
  // Expected values from the reference implementation (MurmurHash3_x86_128, seed 0).
  it.each([
    ['', '00000000000000000000000000000000'],
    ['hello', 'a044242bf7de91dbb631db9ab631db9a'],
    ['The quick brown fox jumps over the lazy dog', 'c383152f672ceeec6cf67b5d2c1de9e5'],
    ['01JCXYZ0000000000000000000\u0000bench/command\u00001', '48d61a3a9bb24dea53d20aea1861d20b'],
    ['héllo wörld ✓', 'ae5978d9a6d03cb9d24f875123d95b21'],
  ])('hashes %j like the reference', (text, expected) => {
    expect(hex(murmur3x86128(text))).toBe(expected);
  });

  it('handles input longer than its scratch buffer', () => {
    const long = 'x'.repeat(5000);
    expect(hex(murmur3x86128(long))).toBe(hex(murmur3x86128(long)));
    expect(hex(murmur3x86128(long))).not.toBe(hex(murmur3x86128(`${long}y`)));
  });
});
