import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@parley/core';

/** WAL size (bytes) past which the checkpointer copies the log back into the database: about 1,000 pages. */
const THRESHOLD_BYTES = 4 * 1024 * 1024;
/** How often it looks at the WAL's size. */
const INTERVAL_MS = 100;
/** How long `stop` waits for the thread to close its connection before terminating it. */
const STOP_WAIT_MS = 1000;

// Runs on the worker thread: its own connection, a PASSIVE checkpoint whenever the WAL is past the threshold and
// has been written since the last one (the file keeps its size when SQLite starts it over, so size alone would
// checkpoint an idle database ten times a second). PASSIVE never waits for writers or readers, so commits on
// other threads go on meanwhile.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { timeout: 0 });
let timer;
let checkpointedAt = -1;
function tick() {
  try {
    const wal = fs.statSync(workerData.filename + '-wal', { throwIfNoEntry: false });
    if (wal !== undefined && wal.size > workerData.thresholdBytes && wal.mtimeMs !== checkpointedAt) {
      checkpointedAt = wal.mtimeMs;
      db.pragma('wal_checkpoint(PASSIVE)');
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
}
parentPort.on('message', (message) => {
  if (message === 'stop') { clearTimeout(timer); db.close(); parentPort.close(); }
});
tick();
`;

/** A running checkpointer; `stop` ends its thread and closes its connection. */
export interface Checkpointer {
  stop(): Promise<void>;
}

const running = new Map<string, { checkpointer: Checkpointer; users: number }>();

/**
 * Copies `filename`'s write-ahead log back into the database on a worker thread, so the thread that commits never
 * stalls on a checkpoint (with SQLite's automatic checkpoints the commit that crosses the threshold does the
 * copying and its fsyncs, holding up everything else on that thread). One per file and process, shared by its
 * connections; each `stop` releases one use. Errors are logged, never thrown: the connections' own automatic
 * checkpoint, set far higher, still bounds the log.
 */
export function startCheckpointer(filename: string, logger: Logger): Checkpointer {
  const shared = running.get(filename);
  if (shared !== undefined) {
    shared.users++;
    return release(filename);
  }
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      filename,
      driver: fileURLToPath(import.meta.resolve('better-sqlite3')),
      thresholdBytes: THRESHOLD_BYTES,
      intervalMs: INTERVAL_MS,
    },
  });
  worker.unref();
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) logger.warn({ error: message.error }, 'background checkpoint failed');
  });
  worker.on('error', (error) => logger.warn({ err: error }, 'the checkpoint thread failed'));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  running.set(filename, {
    users: 1,
    checkpointer: {
      stop: async () => {
        // Held while stopping, so that a process awaiting its close is not ended with the promise unsettled.
        worker.ref();
        worker.postMessage('stop');
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
        clearTimeout(timer);
        await worker.terminate();
      },
    },
  });
  return release(filename);
}

function release(filename: string): Checkpointer {
  let stopped = false;
  return {
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const shared = running.get(filename);
      if (shared === undefined) return;
      shared.users--;
      if (shared.users > 0) return;
      running.delete(filename);
      await shared.checkpointer.stop();
    },
  };
}
