import { describe, expect, it } from 'vitest';
import { barChartSvg, markdownTable } from './report.ts';

describe('markdownTable', () => {
  it('writes a header, a separator and one line per row', () => {
    expect(markdownTable(['what', 'messages/s'], [['Parley', 10299]])).toBe(
      '| what | messages/s |\n| --- | --- |\n| Parley | 10299 |',
    );
  });
});

describe('barChartSvg', () => {
  it('draws bars to one scale per panel, with escaped labels and their values', () => {
    const svg = barChartSvg([
      {
        title: 'throughput',
        bars: [
          { label: 'a <b> & c', value: 2000 },
          { label: 'half', value: 1000 },
        ],
      },
    ]);
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="(\d+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]).toBe(2 * widths[1]!);
    expect(svg).toContain('a &lt;b> &amp; c');
    expect(svg).toContain('>2,000</text>');
  });
});
