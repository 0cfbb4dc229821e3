import type { RunStatus, Service } from '@parley/core';

export type RunCounts = Record<RunStatus, number>;

/** How the runs of `workflow` in the service's store stand: how many are running, parked, completed, failed, cancelled. */
export async function countRuns(service: Pick<Service, 'workflows'>, workflow: string): Promise<RunCounts> {
  const counts: RunCounts = { running: 0, parked: 0, completed: 0, failed: 0, cancelled: 0 };
  const limit = 500;
  let after: string | undefined;
  for (;;) {
    const page = await service.workflows.list({ workflow, limit, ...(after === undefined ? {} : { after }) });
    for (const run of page) counts[run.status]++;
    if (page.length < limit) return counts;
    const last = page.at(-1)!;
    after = `${last.workflow}/${last.runId}`;
  }
}
