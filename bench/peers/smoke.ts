/**
 * Smoke check of the peer benchmarks: runs each peer once and prints one JSON line per peer.
 *
 *   node --conditions=source --import tsx bench/peers/smoke.ts [count] [concurrency]
 *
 * Needs PostgreSQL (127.0.0.1:5432, database test), Redis (127.0.0.1:6379) and NATS JetStream (127.0.0.1:4222).
 * Exits non-zero if any peer fails; the others still run.
 */
import { benchPayload } from '../payload.ts';
import { run as runBullmq } from './bullmq.ts';
import { run as runGraphileWorker } from './graphileWorker.ts';
import { run as runNatsJetStream } from './natsJetStream.ts';
import type { PeerResult, PeerRunOptions } from './PeerRun.ts';

const count = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 10);
// The payload the Parley scenarios send (bench/payload.ts); peers send one payload for every message.
const payload: Record<string, unknown> = benchPayload(0);

const peers: ReadonlyArray<[string, (options: PeerRunOptions) => Promise<PeerResult>]> = [
  ['graphile-worker', runGraphileWorker],
  ['bullmq', runBullmq],
  ['nats-jetstream', runNatsJetStream],
];

let failed = 0;
for (const [peer, run] of peers) {
  try {
    console.log(JSON.stringify(await run({ count, payload, concurrency })));
  } catch (error) {
    failed++;
    console.log(JSON.stringify({ peer, error: error instanceof Error ? error.message : String(error) }));
  }
}
process.exitCode = failed === 0 ? 0 : 1;
