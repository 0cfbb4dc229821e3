import type { Admin } from '@parley/core';
import { selectFailures, type FailureSelection } from './FailureSelection.ts';
import { groupFailures, type FailureGroup } from './groupFailures.ts';

/** The group with this fingerprint id among the selected dead letters; undefined when none is left. */
export async function findGroup(
  admin: Admin,
  id: string,
  selection: FailureSelection,
): Promise<FailureGroup | undefined> {
  return groupFailures(await selectFailures(admin, selection)).find((g) => g.fingerprint.id === id);
}
