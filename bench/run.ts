// `npm run bench [-- --quick]`: every scenario, Parley and its peers, in one run on this machine. Writes
// bench/results/latest.json, latest.md and latest.svg. Figures are only comparable within one run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBackend, type BenchBackend } from './backends.ts';
import { benchPayload } from './payload.ts';
import { run as graphileWorker } from './peers/graphileWorker.ts';
import { run as bullmq } from './peers/bullmq.ts';
import { run as natsJetStream } from './peers/natsJetStream.ts';
import type { PeerResult } from './peers/PeerRun.ts';
import { round } from './percentiles.ts';
import { barChartSvg, markdownTable } from './report.ts';
import { endToEnd, type EndToEndResult } from './scenarios/endToEnd.ts';
import { entityCommands, type EntityCommandsResult } from './scenarios/entityCommands.ts';
import { memory, type MemoryResult } from './scenarios/memory.ts';
import { rawInsertPostgres, rawInsertSqlite, type RawInsertResult } from './scenarios/rawInsert.ts';

const quick = process.argv.includes('--quick');
const size = {
  raw: quick ? 20_000 : 200_000,
  commands: quick ? 1_000 : 5_000,
  e2e: quick ? 5_000 : 50_000,
  latencySeconds: quick ? 3 : 10,
  poison: quick ? 5_000 : 50_000,
  memory: quick ? 20_000 : 1_000_000,
  peers: quick ? 5_000 : 50_000,
};

function progress(label: string, total: number): (done: number) => void {
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (now - last < 1000 && done < total) return;
    last = now;
    process.stderr.write(`  ${label}: ${done}/${total}\n`);
  };
}

async function withBackend<T>(
  name: BenchBackend['name'],
  work: (backend: BenchBackend) => Promise<T>,
): Promise<T> {
  const backend = await openBackend(name);
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

async function step<T>(label: string, work: () => Promise<T>): Promise<T | { error: string }> {
  process.stderr.write(`${label}\n`);
  try {
    return await work();
  } catch (error) {
    process.stderr.write(`  failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const ok = <T extends object>(value: T | { error: string }): T | undefined =>
  'error' in value ? undefined : value;

const started = Date.now();
const raw = {
  sqlite: await step('raw insert, SQLite', () => rawInsertSqlite(size.raw)),
  postgres: await step('raw insert, PostgreSQL', () => rawInsertPostgres(size.raw / 2)),
};
const commands: Array<EntityCommandsResult | { error: string }> = [];
for (const backend of ['sqlite', 'postgres'] as const) {
  for (const inFlight of [1, 32]) {
    commands.push(
      await step(`entity commands, ${backend}, ${inFlight} in flight`, () =>
        withBackend(backend, (b) => entityCommands(b, { commands: size.commands, inFlight })),
      ),
    );
  }
}
const e2e: Record<string, EndToEndResult | { error: string }> = {};
for (const backend of ['sqlite', 'postgres', 'postgres+nats'] as const) {
  e2e[backend] = await step(`end to end, ${backend}`, () =>
    withBackend(backend, (b) =>
      endToEnd(b, { count: size.e2e, keys: 1000, concurrency: 64, onProgress: progress(backend, size.e2e) }),
    ),
  );
}
const latency = await step('latency at 1,000 messages/s, SQLite', () =>
  withBackend('sqlite', (b) =>
    endToEnd(b, { count: 1000 * size.latencySeconds, keys: 1000, concurrency: 64, rate: 1000 }),
  ),
);
const poisonKeys = new Set(Array.from({ length: 10 }, (_, i) => `account-${i * 100}`));
const poison = {
  baseline: await step('poison isolation: baseline, SQLite', () =>
    withBackend('sqlite', (b) => endToEnd(b, { count: size.poison, keys: 1000, concurrency: 64 })),
  ),
  poisoned: await step('poison isolation: 1% of keys poisoned, SQLite', () =>
    withBackend('sqlite', (b) =>
      endToEnd(b, { count: size.poison, keys: 1000, concurrency: 64, poisonKeys }),
    ),
  ),
};
const mem = await step(`memory over ${size.memory} messages, SQLite`, () =>
  withBackend('sqlite', (b): Promise<MemoryResult> =>
    memory(b, size.memory, progress('memory', size.memory)),
  ),
);
const peerOptions = { count: size.peers, payload: benchPayload(0), concurrency: 64 };
const peers = {
  graphileWorker: await step('peer: graphile-worker (PostgreSQL)', () => graphileWorker(peerOptions)),
  bullmq: await step('peer: BullMQ (Redis)', () => bullmq(peerOptions)),
  natsJetStream: await step('peer: NATS JetStream', () => natsJetStream(peerOptions)),
};

// ---- ratios and report -----------------------------------------------------------------------------------------

const rate = (value: { messagesPerSecond: number } | { error: string } | undefined) =>
  value !== undefined && 'messagesPerSecond' in value ? value.messagesPerSecond : undefined;
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? null : round(a / b, 3);
const rawRate = (r: RawInsertResult | { error: string }) => ok(r)?.rowsPerSecond;
const ratios = {
  e2eOverRawInsertSqlite: ratio(rate(e2e.sqlite), rawRate(raw.sqlite)),
  e2eOverRawInsertPostgres: ratio(rate(e2e.postgres), rawRate(raw.postgres)),
  sqliteOverBullmq: ratio(rate(e2e.sqlite), rate(ok<PeerResult>(peers.bullmq))),
  postgresOverGraphileWorker: ratio(rate(e2e.postgres), rate(ok<PeerResult>(peers.graphileWorker))),
  postgresNatsOverRawJetStream: ratio(rate(e2e['postgres+nats']), rate(ok<PeerResult>(peers.natsJetStream))),
  poisonHealthyOverBaseline: ratio(rate(poison.poisoned), rate(poison.baseline)),
};
const targets = {
  e2eAtLeast30PercentOfRawInsert:
    (ratios.e2eOverRawInsertSqlite ?? 0) >= 0.3 && (ratios.e2eOverRawInsertPostgres ?? 0) >= 0.3,
  atLeastTwiceBullmq: (ratios.sqliteOverBullmq ?? 0) >= 2,
  aheadOfGraphileWorker: (ratios.postgresOverGraphileWorker ?? 0) > 1,
  poisonHealthyAtLeast95Percent: (ratios.poisonHealthyOverBaseline ?? 0) >= 0.95,
  p99Under10msAtModerateLoad: (ok(latency)?.latencyMs.p99 ?? Infinity) < 10,
  memoryFlat: (ok(mem)?.heapGrowth ?? Infinity) < 1.25,
};
const results = {
  quick,
  machine: { cpus: os.cpus().length, memoryGiB: round(os.totalmem() / 1024 ** 3, 1), node: process.version },
  elapsedSeconds: round((Date.now() - started) / 1000, 1),
  rawInsert: raw,
  entityCommands: commands,
  endToEnd: e2e,
  latencyAtModerateLoad: latency,
  poisonIsolation: poison,
  memory: mem,
  peers,
  ratios,
  targets,
};

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
const bars = [
  { label: 'raw insert, SQLite (rows/s)', value: rawRate(raw.sqlite) ?? 0 },
  { label: 'raw insert, PostgreSQL (rows/s)', value: rawRate(raw.postgres) ?? 0 },
  { label: 'Parley, SQLite', value: rate(e2e.sqlite) ?? 0 },
  { label: 'Parley, PostgreSQL', value: rate(e2e.postgres) ?? 0 },
  { label: 'Parley, PostgreSQL + NATS', value: rate(e2e['postgres+nats']) ?? 0 },
  { label: 'graphile-worker', value: rate(ok<PeerResult>(peers.graphileWorker)) ?? 0 },
  { label: 'BullMQ', value: rate(ok<PeerResult>(peers.bullmq)) ?? 0 },
  { label: 'NATS JetStream (raw)', value: rate(ok<PeerResult>(peers.natsJetStream)) ?? 0 },
];
fs.writeFileSync(
  path.join(out, 'latest.svg'),
  barChartSvg('messages per second, one run, this machine', bars),
);
const md = [
  `# Benchmark results${quick ? ' (quick)' : ''}`,
  '',
  `${results.machine.cpus} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}; ${results.elapsedSeconds} s in all.`,
  '',
  markdownTable(
    ['what', 'messages/s'],
    bars.map((b) => [b.label, b.value]),
  ),
  '',
  markdownTable(
    ['latency at 1,000 msg/s (SQLite)', 'ms'],
    Object.entries(ok(latency)?.latencyMs ?? {}).map(([k, v]) => [k, v]),
  ),
  '',
  markdownTable(
    ['ratio', 'value'],
    Object.entries(ratios).map(([k, v]) => [k, v ?? 'n/a']),
  ),
  '',
  markdownTable(
    ['target', 'met'],
    Object.entries(targets).map(([k, v]) => [k, v ? 'yes' : 'no']),
  ),
  '',
  '![throughput](latest.svg)',
  '',
].join('\n');
fs.writeFileSync(path.join(out, 'latest.md'), md);
process.stderr.write(`wrote ${path.relative(process.cwd(), out)}/latest.{json,md,svg}\n`);
console.log(md);
