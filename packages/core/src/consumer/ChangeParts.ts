import type { Change } from '../ports/Change.ts';

/** Part of a change, as one unit contributes it; the committer concatenates the parts of a batch. */
export type ChangeParts = { -readonly [K in Exclude<keyof Change, 'checkpoints'>]?: Change[K] };

/** Concatenates parts, keeping their order. */
export function mergeParts(...parts: ReadonlyArray<ChangeParts>): ChangeParts {
  return mergePartList(parts);
}

/** {@link mergeParts} of a list (a commit's thousands of units). */
export function mergePartList(parts: ReadonlyArray<ChangeParts>): ChangeParts {
  const merged: Record<string, unknown[]> = {};
  for (const part of parts) {
    const lists = part as Record<string, ReadonlyArray<unknown> | undefined>;
    for (const name in lists) {
      const list = lists[name];
      if (list === undefined || list.length === 0) continue;
      const into = (merged[name] ??= []);
      for (const item of list) into.push(item);
    }
  }
  return merged;
}
