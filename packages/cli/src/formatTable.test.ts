import { describe, expect, it } from 'vitest';
import { formatTable, truncate } from './formatTable.ts';

describe('formatTable', () => {
  const rows = [
    { name: 'order-mailer', lag: 3, note: 'fine' },
    { name: 'x', lag: 12345, note: 'a very long note\nover two lines' },
  ];

  it('pads columns, aligns numbers right, cuts long values and leaves no trailing blanks', () => {
    const table = formatTable<(typeof rows)[number]>(
      [
        { header: 'NAME', value: (r) => r.name },
        { header: 'LAG', value: (r) => String(r.lag), align: 'right' },
        { header: 'NOTE', value: (r) => r.note, maxWidth: 12 },
      ],
      rows,
    );
    expect(table.split('\n')).toEqual([
      'NAME            LAG  NOTE',
      'order-mailer      3  fine',
      'x             12345  a very long…',
    ]);
  });

  it('prints the header alone for no rows', () => {
    expect(formatTable([{ header: 'ID', value: String }], [])).toBe('ID');
  });
});

describe('truncate', () => {
  it('keeps short text and ends cut text with an ellipsis', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcd', 3)).toBe('ab…');
    expect(truncate('abcd', undefined)).toBe('abcd');
  });
});
