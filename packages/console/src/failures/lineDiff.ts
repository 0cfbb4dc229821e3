/** One line of a {@link lineDiff}: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
}

/** Above this many line pairs the longest-common-subsequence table gets too big: everything is replaced. */
const MAX_CELLS = 4_000_000;

/**
 * A line diff of two texts by longest common subsequence: every line of both, in order, removals of a changed
 * stretch before its additions. Meant for small texts such as pretty-printed payloads.
 *
 * @example
 * lineDiff('a\nb', 'a\nc'); // [{ op: ' ', text: 'a' }, { op: '-', text: 'b' }, { op: '+', text: 'c' }]
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...a.map((text) => ({ op: '-' as const, text })),
      ...b.map((text) => ({ op: '+' as const, text })),
    ];
  }
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..], one flat row-major array.
  const width = b.length + 1;
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] =
        a[i] === b[j]
          ? common[(i + 1) * width + j + 1]! + 1
          : Math.max(common[(i + 1) * width + j]!, common[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ op: ' ', text: a[i++]! });
      j++;
    } else if (
      j >= b.length ||
      (i < a.length && common[(i + 1) * width + j]! >= common[i * width + j + 1]!)
    ) {
      lines.push({ op: '-', text: a[i++]! });
    } else {
      lines.push({ op: '+', text: b[j++]! });
    }
  }
  return lines;
}

/**
 * Renders a diff of two JSON values, pretty-printed: `--- before`, `+++ after`, then changed lines with up to
 * `context` unchanged lines around them (`…` marks what is left out). Empty when the values print the same.
 *
 * @example
 * formatJsonDiff({ amount: 1 }, { amount: 2 }).join('\n');
 */
export function formatJsonDiff(before: unknown, after: unknown, context = 3): string[] {
  const lines = lineDiff(prettyJson(before), prettyJson(after));
  if (lines.every((line) => line.op === ' ')) return [];
  const near = lines.map((_, index) =>
    lines.slice(Math.max(0, index - context), index + context + 1).some((line) => line.op !== ' '),
  );
  const out = ['--- before', '+++ after'];
  let skipped = false;
  lines.forEach((line, index) => {
    if (!near[index]) {
      if (!skipped) out.push('  …');
      skipped = true;
      return;
    }
    skipped = false;
    out.push(`${line.op} ${line.text}`);
  });
  return out;
}

/** JSON with two-space indentation (`undefined` prints as `null`). */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}
