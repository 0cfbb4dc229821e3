import { DBOS } from '@dbos-inc/dbos-sdk';
import { dropSchemas, POSTGRES_URL } from '../backends.ts';
import {
  measureWorkflows,
  WorkflowTimings,
  type TimingsHolder,
  type WorkflowBenchOptions,
  type WorkflowBenchResult,
} from '../scenarios/workflows.ts';
import { packageVersion, runId } from './PeerRun.ts';

const holder: TimingsHolder = { timings: new WorkflowTimings(0) };

function step(i: number, index: number): Promise<number> {
  holder.timings.step(i, index);
  return Promise.resolve(index + 1);
}

// DBOS keeps one registry per process: the workflow and its steps are registered once, before `launch`.
const one = DBOS.registerStep((i: number) => step(i, 0), { name: 'one' });
const two = DBOS.registerStep((i: number) => step(i, 1), { name: 'two' });
const three = DBOS.registerStep((i: number) => step(i, 2), { name: 'three' });
const threeSteps = DBOS.registerWorkflow(
  async (i: number) => (await one(i)) + (await two(i)) + (await three(i)),
  { name: 'threeSteps' },
);

/**
 * DBOS Transact on the local PostgreSQL: its system tables in a schema of their own in the `test` database,
 * dropped afterwards. Each workflow is started with `DBOS.startWorkflow` under its own id and awaited with
 * `handle.getResult()`, in this process; each step's output is recorded in the system database before the next
 * step runs. DBOS can be launched once per process.
 */
export async function dbosWorkflows(options: WorkflowBenchOptions): Promise<WorkflowBenchResult> {
  const schema = `parley_bench_dbos_${runId()}`;
  DBOS.setConfig({
    name: 'parley-bench',
    systemDatabaseUrl: POSTGRES_URL,
    systemDatabaseSchemaName: schema,
    systemDatabasePoolSize: 20,
    logLevel: 'error',
  });
  await DBOS.launch();
  try {
    return await measureWorkflows(
      'DBOS Transact, PostgreSQL',
      options,
      holder,
      async (id, i) => {
        const handle = await DBOS.startWorkflow(threeSteps, { workflowID: id })(i);
        const sum = await handle.getResult();
        if (sum !== 6) throw new Error(`workflow ${id} returned ${sum}`);
      },
      `@dbos-inc/dbos-sdk ${packageVersion('@dbos-inc/dbos-sdk')}, system database pool of 20; workflows ` +
        'started in this process with DBOS.startWorkflow and awaited with handle.getResult().',
    );
  } finally {
    await DBOS.shutdown();
    await dropSchemas([schema]);
  }
}
