import { Logger, makeWorkerUtils, run as runWorker, type Runner, type WorkerUtils } from 'graphile-worker';
import {
  packageVersion,
  pollUntil,
  Recorder,
  runId,
  runTimeoutMs,
  stamped,
  validateOptions,
  type PeerResult,
  type PeerRunOptions,
} from './PeerRun.ts';

const CONNECTION_STRING = 'postgres://root@127.0.0.1:5432/test';
const TASK = 'parley_bench';
/** Jobs per `addJobs` call (one call of the SQL function `add_jobs(json_populate_recordset(…))`, one statement). */
const BATCH = 500;
/**
 * graphile-worker's documented batching ("Performance" page): a pool-level local queue that locks and fetches
 * jobs in batches, and batched completion. The page's own benchmark uses `localQueue: { size: 500 }`,
 * `completeJobBatchDelay: 0`, `failJobBatchDelay: 0`.
 */
const LOCAL_QUEUE_SIZE = 500;

/** Graphile-worker's logger, errors and warnings only (it logs every worker start and stop at info). */
const quietLogger = new Logger(() => (level, message) => {
  const name = String(level);
  if (name === 'error' || name === 'warning') console.error(`[graphile-worker ${name}] ${message}`);
});

/**
 * graphile-worker on the local PostgreSQL, in a fresh schema that is dropped afterwards. The runner is started
 * (and its schema migrated) before the clock starts; jobs are then added with `addJobs` in batches of 500 while
 * the runner, in the same process, consumes them.
 */
export async function run(options: PeerRunOptions): Promise<PeerResult> {
  validateOptions(options);
  const { count, payload, concurrency } = options;
  const schema = `parley_bench_gw_${runId()}`;
  const recorder = new Recorder(count, options.onProgress);
  let utils: WorkerUtils | undefined;
  let runner: Runner | undefined;
  try {
    utils = await makeWorkerUtils({ connectionString: CONNECTION_STRING, schema, logger: quietLogger });
    await utils.migrate();
    runner = await runWorker({
      connectionString: CONNECTION_STRING,
      schema,
      concurrency,
      maxPoolSize: Math.max(10, concurrency + 1),
      noHandleSignals: true,
      logger: quietLogger,
      taskList: {
        [TASK]: (job) => {
          recorder.handle(job);
        },
      },
      preset: {
        worker: {
          localQueue: { size: Math.max(LOCAL_QUEUE_SIZE, concurrency) },
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
        },
      },
    });
    runner.promise.catch((error: unknown) => recorder.fail(error));

    recorder.start();
    for (let from = 0; from < count; from += BATCH) {
      const specs = [];
      for (let seq = from; seq < Math.min(count, from + BATCH); seq++) {
        specs.push({ identifier: TASK, payload: stamped(payload, seq) });
      }
      await utils.addJobs(specs);
    }
    await recorder.waitAll(runTimeoutMs(count));
    // Completed jobs are deleted; the queue is drained when the jobs table is empty.
    const jobs = `"${schema}"._private_jobs`;
    const confirmedAt = await pollUntil(
      () =>
        utils!.withPgClient(async (client) => {
          const { rows } = await client.query<{ left: boolean }>(
            `select exists (select 1 from ${jobs}) as left`,
          );
          return rows[0]?.left === false;
        }),
      runTimeoutMs(count),
    );

    return recorder.result(
      'graphile-worker',
      `graphile-worker ${packageVersion('graphile-worker')} on PostgreSQL 127.0.0.1:5432/test, fresh schema dropped after. ` +
        `Publish: WorkerUtils.addJobs in batches of ${BATCH} (one statement per batch), awaited one after another. ` +
        `Consume: run() in the same process, concurrency ${concurrency}, maxPoolSize ${Math.max(10, concurrency + 1)}, ` +
        `documented batching on (localQueue.size ${Math.max(LOCAL_QUEUE_SIZE, concurrency)}, ` +
        `completeJobBatchDelay 0, failJobBatchDelay 0), LISTEN/NOTIFY wake-ups, default maxAttempts 25. ` +
        `A job is deleted when its handler resolves (completion batched); at-least-once. ` +
        `Clock: first addJobs call to last handler entry.`,
      confirmedAt,
    );
  } finally {
    await runner?.stop().catch(() => {});
    if (utils !== undefined) {
      await utils.withPgClient((client) => client.query(`drop schema if exists "${schema}" cascade`));
      await utils.release();
    }
  }
}
