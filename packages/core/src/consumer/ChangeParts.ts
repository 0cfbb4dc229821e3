import type { Change } from '../ports/Change.ts';

/** Part of a change, as one unit contributes it; the committer concatenates the parts of a batch. */
export type ChangeParts = { -readonly [K in Exclude<keyof Change, 'checkpoints'>]?: Change[K] };

/** Concatenates parts, keeping their order. */
export function mergeParts(...parts: ReadonlyArray<ChangeParts>): ChangeParts {
  const merged: Record<string, unknown[]> = {};
  for (const part of parts) {
    for (const [name, list] of Object.entries(part) as Array<[string, ReadonlyArray<unknown> | undefined]>) {
      if (list === undefined || list.length === 0) continue;
      (merged[name] ??= []).push(...list);
    }
  }
  return merged;
}
