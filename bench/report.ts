/** One bar of the chart: a label and a rate. */
export interface Bar {
  label: string;
  value: number;
}

/** A horizontal bar chart of throughputs as SVG, with values written at the bars. */
export function barChartSvg(title: string, bars: ReadonlyArray<Bar>): string {
  const width = 760;
  const left = 260;
  const row = 26;
  const top = 40;
  const height = top + bars.length * row + 20;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = bars.map((bar, i) => {
    const y = top + i * row;
    const w = Math.max(1, Math.round(((width - left - 90) * bar.value) / max));
    return [
      `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${w}" height="16" fill="#3b82f6"/>`,
      `<text x="${left + w + 6}" y="${y + 16}">${bar.value.toLocaleString('en')}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
    ...rows,
    '</svg>',
  ].join('\n');
}

/** A markdown table. */
export function markdownTable(
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
