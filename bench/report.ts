/** One bar of a chart: a label and a value. */
export interface Bar {
  label: string;
  value: number;
}

/** One chart of a figure: a title and its bars, drawn to the same scale. */
export interface Panel {
  title: string;
  bars: ReadonlyArray<Bar>;
}

const WIDTH = 760;
const LEFT = 300;
const ROW = 26;
const HEAD = 40;

/** Horizontal bar charts stacked in one SVG figure, each bar with its value written beside it. */
export function barChartSvg(panels: ReadonlyArray<Panel>): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [];
  let y = 0;
  for (const panel of panels) {
    const max = Math.max(1, ...panel.bars.map((b) => b.value));
    parts.push(
      `<text x="${WIDTH / 2}" y="${y + 22}" text-anchor="middle" font-size="15" font-weight="bold">${escape(panel.title)}</text>`,
    );
    panel.bars.forEach((bar, i) => {
      const top = y + HEAD + i * ROW;
      const w = Math.max(1, Math.round(((WIDTH - LEFT - 90) * bar.value) / max));
      parts.push(
        `<text x="${LEFT - 8}" y="${top + 16}" text-anchor="end">${escape(bar.label)}</text>` +
          `<rect x="${LEFT}" y="${top + 4}" width="${w}" height="16" fill="#3b82f6"/>` +
          `<text x="${LEFT + w + 6}" y="${top + 16}">${bar.value.toLocaleString('en')}</text>`,
      );
    });
    y += HEAD + panel.bars.length * ROW + 20;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
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
