import { formatTable } from './formatTable.ts';

/** Prints a demo's outcome: one table of counts, one of invariants, then the problems found, if any. */
export function printDemoSummary<I extends { [K in keyof I]: boolean }>(
  rows: ReadonlyArray<readonly [string, string | number]>,
  invariants: I,
  problems: ReadonlyArray<string>,
): void {
  console.log(
    formatTable(
      [
        { header: 'outcome', value: (r: readonly [string, string | number]) => r[0] },
        { header: 'count', value: (r: readonly [string, string | number]) => String(r[1]), align: 'right' },
      ],
      rows,
    ),
  );
  console.log('');
  console.log(
    formatTable(
      [
        { header: 'invariant', value: (r: [string, boolean]) => r[0] },
        { header: 'holds', value: (r: [string, boolean]) => (r[1] ? 'yes' : 'NO') },
      ],
      Object.entries<boolean>(invariants),
    ),
  );
  for (const problem of problems.slice(0, 20)) console.log(`  problem: ${problem}`);
}
