import { describe, expect, it } from 'vitest';
import { decodeToken, encodeToken, natsNames } from './natsNames.ts';

describe('natsNames', () => {
  it('names streams, subjects and buckets under the prefix', () => {
    const names = natsNames('parley');
    expect(names.stream('show-events')).toBe('parley_show-events');
    expect(names.subject('show.events', 3)).toBe('parley.show_2eevents.3');
    expect(names.topicSubjects('a_b')).toBe('parley.a_5fb.*');
    expect(names.stateBucket).toBe('parley_state');
  });

  it('rejects prefixes that would make names ambiguous', () => {
    expect(() => natsNames('a.b')).toThrow(/prefix/);
    expect(() => natsNames('a_b')).toThrow(/prefix/);
    expect(() => natsNames('')).toThrow(/prefix/);
  });

  it('encodes any string to one reversible token', () => {
    for (const value of ['', 'plain-name', 'a.b_c', '_', 'ünï cödé/:*>', 'x'.repeat(300)]) {
      const token = encodeToken(value);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeToken(token)).toBe(value);
    }
    expect(encodeToken('a_2e')).not.toBe(encodeToken('a.'));
  });
});
