// What the scale-out scenario and its worker processes tell each other over the IPC channel.
import type { SharedPlace } from './scaleOutPlace.ts';

/** What the parent tells a worker, as its one argument. */
export interface WorkerConfig {
  place: SharedPlace;
  instanceId: string;
  concurrency: number;
  leaseTtlMs: number;
}

/** What a worker sends its parent. Times are wall-clock ms (performance.timeOrigin + performance.now()). */
export type WorkerReport =
  | { type: 'ready' }
  | { type: 'started'; at: number }
  | { type: 'committed'; messages: number; at: number }
  | { type: 'rebalanced'; partitions: number[] }
  | { type: 'resumed'; at: number }
  | { type: 'rewound' }
  | { type: 'dead-lettered'; key: string; error: string };

/** What the parent sends a worker. */
export type WorkerCommand = { type: 'start' } | { type: 'stop' };

/** The consumer service every worker runs: the end-to-end scenario's, with partition leases. */
export const CONSUMER_SERVICE = 'bench-consumer';
export const CONSUMER = 'bench-handler';
