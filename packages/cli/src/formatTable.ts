/** One column of a {@link formatTable} table. */
export interface Column<R> {
  readonly header: string;
  readonly value: (row: R) => string;
  /** @default 'left' */
  readonly align?: 'left' | 'right';
  /** Longer values are cut with an ellipsis. No limit by default. */
  readonly maxWidth?: number;
}

const GAP = '  ';

/**
 * A plain-text table: a header row, then one line per row, columns padded to their widest value and separated
 * by two spaces. Newlines in values become spaces; lines carry no trailing blanks.
 *
 * @example
 * formatTable([{ header: 'NAME', value: (c) => c.name }, { header: 'LAG', value: (c) => String(c.lag), align: 'right' }], consumers);
 */
export function formatTable<R>(columns: ReadonlyArray<Column<R>>, rows: ReadonlyArray<R>): string {
  const cells = rows.map((row) =>
    columns.map((column) => truncate(column.value(row).replace(/\s*\n\s*/g, ' '), column.maxWidth)),
  );
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((line) => line[i]?.length ?? 0)),
  );
  const render = (line: ReadonlyArray<string>): string =>
    line
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(GAP)
      .trimEnd();
  return [render(columns.map((c) => c.header)), ...cells.map(render)].join('\n');
}

/** Cuts `text` to at most `max` characters, ending with an ellipsis when it was longer. */
export function truncate(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return max <= 1 ? text.slice(0, max) : `${text.slice(0, max - 1)}…`;
}
