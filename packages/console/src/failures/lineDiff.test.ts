import { describe, expect, it } from 'vitest';
import { formatJsonDiff, lineDiff } from './lineDiff.ts';

describe('lineDiff', () => {
  it('keeps common lines and puts removals before additions', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
  });

  it('handles empty sides', () => {
    expect(lineDiff('', 'a')).toEqual([
      { op: '-', text: '' },
      { op: '+', text: 'a' },
    ]);
    expect(lineDiff('a', 'a')).toEqual([{ op: ' ', text: 'a' }]);
  });
});

describe('formatJsonDiff', () => {
  it('diffs pretty JSON and elides unchanged lines far from a change', () => {
    const before = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    const diff = formatJsonDiff(before, { ...before, k9: 'nine' }, 1);
    expect(diff).toEqual([
      '--- before',
      '+++ after',
      '  …',
      '    "k8": 8,',
      '-   "k9": 9',
      '+   "k9": "nine"',
      '  }',
    ]);
  });

  it('is empty when nothing changes', () => {
    expect(formatJsonDiff({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
