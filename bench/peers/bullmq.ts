import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  nowMs,
  packageVersion,
  Recorder,
  runId,
  runTimeoutMs,
  stamped,
  validateOptions,
  withTimeout,
  type PeerResult,
  type PeerRunOptions,
} from './PeerRun.ts';

const CONNECTION = { host: '127.0.0.1', port: 6379 };
const JOB_NAME = 'parley-bench';
/** Jobs per `addBulk` call (one MULTI of addStandardJob scripts per call). */
const BATCH = 500;

/**
 * BullMQ on the local Redis, on a queue with a unique name that is obliterated afterwards. The worker is started
 * (and waited on until ready) before the clock starts; jobs are then added with `addBulk` in batches of 500 while
 * the worker, in the same process, consumes them.
 */
export async function run(options: PeerRunOptions): Promise<PeerResult> {
  validateOptions(options);
  const { count, payload, concurrency } = options;
  const name = `parley-bench-${runId()}`;
  const recorder = new Recorder(count, options.onProgress);
  let completed = 0;
  let confirmedAt: number | undefined;
  let confirm: () => void = () => {};
  const allCompleted = new Promise<void>((resolve) => (confirm = resolve));

  const queue = new Queue(name, { connection: CONNECTION });
  let worker: Worker | undefined;
  try {
    worker = new Worker(
      name,
      (job) => {
        recorder.handle(job.data);
        return Promise.resolve();
      },
      { connection: CONNECTION, concurrency },
    );
    worker.on('completed', () => {
      if (++completed === count) {
        confirmedAt = nowMs();
        confirm();
      }
    });
    worker.on('failed', (_job, error) => recorder.fail(error));
    worker.on('error', (error) => recorder.fail(error));
    await queue.waitUntilReady();
    await worker.waitUntilReady();

    recorder.start();
    for (let from = 0; from < count; from += BATCH) {
      const jobs = [];
      for (let seq = from; seq < Math.min(count, from + BATCH); seq++) {
        jobs.push({ name: JOB_NAME, data: stamped(payload, seq) });
      }
      await queue.addBulk(jobs);
    }
    await recorder.waitAll(runTimeoutMs(count));
    await withTimeout(allCompleted, runTimeoutMs(count), () => `${completed}/${count} completed`);

    return recorder.result(
      'bullmq',
      `BullMQ ${packageVersion('bullmq')} (ioredis) on Redis 127.0.0.1:6379, unique queue obliterated after. ` +
        `Publish: Queue.addBulk in batches of ${BATCH}, awaited one after another. ` +
        `Consume: one Worker in the same process, concurrency ${concurrency}, default job and worker options ` +
        `(lock renewal and stalled-job checks on, completed jobs kept, 1 attempt). A job moves to completed when its ` +
        `processor resolves, which also fetches the next job; at-least-once via stalled-job recovery. ` +
        `Clock: first addBulk call to last processor entry.`,
      confirmedAt,
    );
  } finally {
    await worker?.close().catch(() => {});
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close().catch(() => {});
    await assertNoKeys(name);
  }
}

/** Checks that obliterate left no key of the queue behind, and removes any it did. */
async function assertNoKeys(name: string): Promise<void> {
  const redis = new Redis({ ...CONNECTION, lazyConnect: true });
  await redis.connect();
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `bull:${name}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length > 0) {
      await redis.del(...keys);
      console.error(
        `[bullmq] obliterate left ${keys.length} key(s) of ${name}; deleted them: ${keys.slice(0, 5).join(', ')}`,
      );
    }
  } finally {
    redis.disconnect();
  }
}
