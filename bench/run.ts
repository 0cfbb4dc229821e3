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
import { dbosWorkflows } from './peers/dbosWorkflows.ts';
import { restateWorkflows } from './peers/restateWorkflows.ts';
import type { PeerResult } from './peers/PeerRun.ts';
import { round } from './percentiles.ts';
import { barChartSvg, markdownTable } from './report.ts';
import { endToEnd, type EndToEndResult } from './scenarios/endToEnd.ts';
import { entityCommands, type EntityCommandsResult } from './scenarios/entityCommands.ts';
import { memory, type MemoryResult } from './scenarios/memory.ts';
import { memoryBounds, type MemoryBoundsResult } from './scenarios/memoryBounds.ts';
import { rawInsertPostgres, rawInsertSqlite, type RawInsertResult } from './scenarios/rawInsert.ts';
import { scaleOutRounds } from './scenarios/scaleOut.ts';
import { sqlAlonePostgres, sqlAloneSqlite, type SqlAloneResult } from './scenarios/sqlAlone.ts';
import {
  parleyWorkflows,
  type WorkflowBenchOptions,
  type WorkflowBenchResult,
} from './scenarios/workflows.ts';

const quick = process.argv.includes('--quick');
// `--only <scenario>`: that scenario alone, its result printed as JSON; bench/results is left as it is.
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex < 0 ? undefined : process.argv[onlyIndex + 1];
const size = {
  raw: quick ? 20_000 : 200_000,
  commands: quick ? 1_000 : 5_000,
  e2e: quick ? 5_000 : 50_000,
  latencySeconds: quick ? 3 : 10,
  poison: quick ? 5_000 : 50_000,
  memory: quick ? 20_000 : 1_000_000,
  peers: quick ? 5_000 : 50_000,
  workflows: quick ? 300 : 2_000,
  scaleOut: quick ? 20_000 : 100_000,
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

/** The mean rate and latencies of repeated runs of one scenario; an error if any run failed. */
function meanRun(
  runs: ReadonlyArray<EndToEndResult | { error: string }>,
): { messagesPerSecond: number; latencyMs: EndToEndResult['latencyMs'] } | { error: string } {
  const good = runs.map(ok).filter((r): r is EndToEndResult => r !== undefined);
  if (good.length < runs.length || good.length === 0) return { error: 'a run failed' };
  const mean = (pick: (r: EndToEndResult) => number) =>
    round(good.reduce((sum, r) => sum + pick(r), 0) / good.length, 2);
  return {
    messagesPerSecond: Math.round(mean((r) => r.messagesPerSecond)),
    latencyMs: {
      p50: mean((r) => r.latencyMs.p50),
      p99: mean((r) => r.latencyMs.p99),
      p999: mean((r) => r.latencyMs.p999),
    },
  };
}

/**
 * One service's consumer in 1 and 2 OS processes sharing the store's partitions through leases, in alternating
 * rounds (1, 2, 2, 1): draining a backlog, and consuming while a third process publishes.
 */
async function scaleOutAll() {
  const out: Record<string, Awaited<ReturnType<typeof scaleOutRounds>> | { error: string }> = {};
  for (const mode of ['backlog', 'live'] as const) {
    for (const engine of ['sqlite', 'postgres'] as const) {
      out[`${engine}:${mode}`] = await step(
        `scale-out, ${engine}, ${mode === 'backlog' ? 'draining a backlog' : 'publishing while consuming'}, 1 and 2 processes`,
        () =>
          scaleOutRounds({
            engine,
            mode,
            count: size.scaleOut,
            order: [1, 2, 2, 1],
            onProgress: progress(`${engine} ${mode}`, size.scaleOut),
            onRun: (r) =>
              process.stderr.write(
                `  ${r.processes} process${r.processes === 1 ? '' : 'es'}: ${r.messagesPerSecond} msg/s (balanced in ${r.balanceSeconds} s, not timed)\n`,
              ),
          }),
      );
    }
  }
  return out;
}

const single: Record<string, () => Promise<unknown>> = {
  'scale-out': scaleOutAll,
  'memory-bounds': () =>
    memoryBounds(() => openBackend('sqlite'), {
      onProgress: (what) => process.stderr.write(`  ${what}\n`),
    }),
};
if (only !== undefined) {
  const scenario = single[only];
  if (scenario === undefined) {
    process.stderr.write(
      `unknown scenario ${only}; --only takes one of: ${Object.keys(single).join(', ')}\n`,
    );
    process.exit(2);
  }
  console.log(JSON.stringify(await scenario(), null, 2));
  process.exit(0);
}

const started = Date.now();
const raw = {
  sqlite: await step('raw insert, SQLite', () => rawInsertSqlite(size.raw)),
  postgres: await step('raw insert, PostgreSQL', () => rawInsertPostgres(size.raw / 2)),
};
// The end-to-end statements with no Parley code around them: the ceiling the SQL itself sets on each engine.
const sqlAlone = {
  sqlite: await step('SQL alone (the end-to-end statements, no Parley), SQLite', () =>
    sqlAloneSqlite(size.e2e),
  ),
  postgres: await step('SQL alone (the end-to-end statements, no Parley), PostgreSQL', () =>
    sqlAlonePostgres(size.e2e),
  ),
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
const consumeOnly: Record<string, EndToEndResult | { error: string }> = {};
for (const backend of ['sqlite', 'postgres'] as const) {
  consumeOnly[backend] = await step(`publish and consume (handler does no I/O), ${backend}`, () =>
    withBackend(backend, (b) =>
      endToEnd(b, {
        count: size.peers,
        keys: 1000,
        concurrency: 64,
        work: 'none',
        onProgress: progress(backend, size.peers),
      }),
    ),
  );
}
// The consumer alone: a backlog published first, then drained (a service catching up after downtime).
const backlog: Record<string, EndToEndResult | { error: string }> = {};
for (const backend of ['sqlite', 'postgres'] as const) {
  backlog[backend] = await step(`draining a backlog, ${backend}`, () =>
    withBackend(backend, (b) =>
      endToEnd(b, {
        count: size.e2e,
        keys: 1000,
        concurrency: 64,
        backlog: true,
        onProgress: progress(backend, size.e2e),
      }),
    ),
  );
}
const poisonKeys = new Set(Array.from({ length: 10 }, (_, i) => `account-${i * 100}`));
const latency = await step('latency at 1,000 messages/s, SQLite', () =>
  withBackend('sqlite', (b) =>
    endToEnd(b, { count: 1000 * size.latencySeconds, keys: 1000, concurrency: 64, rate: 1000 }),
  ),
);
const poisonedLatency = await step('latency at 1,000 messages/s, 1% of keys poisoned, SQLite', () =>
  withBackend('sqlite', (b) =>
    endToEnd(b, { count: 1000 * size.latencySeconds, keys: 1000, concurrency: 64, rate: 1000, poisonKeys }),
  ),
);
// Baseline and poisoned runs alternate (A B B A) and each side keeps its mean: run order (warm code, a
// fuller disk cache) otherwise favours whichever goes second.
const poisonRuns: Array<{ poisoned: boolean; result: EndToEndResult | { error: string } }> = [];
for (const poisoned of [false, true, true, false]) {
  poisonRuns.push({
    poisoned,
    result: await step(`poison isolation: ${poisoned ? '1% of keys poisoned' : 'baseline'}, SQLite`, () =>
      withBackend('sqlite', (b) =>
        endToEnd(b, { count: size.poison, keys: 1000, concurrency: 64, ...(poisoned ? { poisonKeys } : {}) }),
      ),
    ),
  });
}
const poison = {
  baseline: meanRun(poisonRuns.filter((r) => !r.poisoned).map((r) => r.result)),
  poisoned: meanRun(poisonRuns.filter((r) => r.poisoned).map((r) => r.result)),
  runs: poisonRuns,
};
const mem = await step(`memory over ${size.memory} messages, SQLite`, () =>
  withBackend('sqlite', (b): Promise<MemoryResult> =>
    memory(b, size.memory, progress('memory', size.memory)),
  ),
);
const bounds = await step(
  'memory bounds: parked keys, a long parked queue, a backlog of 1 MiB messages, SQLite',
  () =>
    memoryBounds(() => openBackend('sqlite'), {
      ...(quick ? { parkedKeys: 2000, queuedBehindOne: 10_000, backlog: 300 } : {}),
      onProgress: (what) => process.stderr.write(`  ${what}\n`),
    }),
);
const peerOptions = { count: size.peers, payload: benchPayload(0), concurrency: 64 };
const peers = {
  graphileWorker: await step('peer: graphile-worker (PostgreSQL)', () => graphileWorker(peerOptions)),
  bullmq: await step('peer: BullMQ (Redis)', () => bullmq(peerOptions)),
  natsJetStream: await step('peer: NATS JetStream', () => natsJetStream(peerOptions)),
};
// The same workflow of three trivial journaled steps in each engine, 32 callers each starting one and awaiting it.
const workflowOptions = (label: string): WorkflowBenchOptions => ({
  count: size.workflows,
  inFlight: 32,
  onProgress: progress(label, size.workflows),
});
const workflows = {
  sqlite: await step('workflows (three journaled steps), Parley on SQLite', () =>
    withBackend('sqlite', (b) => parleyWorkflows(b, workflowOptions('sqlite'))),
  ),
  postgres: await step('workflows (three journaled steps), Parley on PostgreSQL', () =>
    withBackend('postgres', (b) => parleyWorkflows(b, workflowOptions('postgres'))),
  ),
  dbos: await step('workflows (three journaled steps), DBOS Transact on PostgreSQL', () =>
    dbosWorkflows(workflowOptions('dbos')),
  ),
  restate: await step('workflows (three journaled steps), Restate', () =>
    restateWorkflows(workflowOptions('restate')),
  ),
};

const scaleOutRuns = await scaleOutAll();

// ---- ratios and report -----------------------------------------------------------------------------------------

const rate = (value: { messagesPerSecond: number } | { error: string } | undefined) =>
  value !== undefined && 'messagesPerSecond' in value ? value.messagesPerSecond : undefined;
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? null : round(a / b, 3);
const rawRate = (r: RawInsertResult | { error: string }) => ok(r)?.rowsPerSecond;
const workflowRate = (r: WorkflowBenchResult | { error: string }) => ok(r)?.workflowsPerSecond;
const stepP50 = (r: WorkflowBenchResult | { error: string }) => ok(r)?.stepLatencyMs.p50;
const ratios = {
  e2eOverRawInsertSqlite: ratio(rate(e2e.sqlite), rawRate(raw.sqlite)),
  e2eOverRawInsertPostgres: ratio(rate(e2e.postgres), rawRate(raw.postgres)),
  sqlAloneOverRawInsertSqlite: ratio(rate(ok<SqlAloneResult>(sqlAlone.sqlite)), rawRate(raw.sqlite)),
  sqlAloneOverRawInsertPostgres: ratio(rate(ok<SqlAloneResult>(sqlAlone.postgres)), rawRate(raw.postgres)),
  e2eOverSqlAloneSqlite: ratio(rate(e2e.sqlite), rate(ok<SqlAloneResult>(sqlAlone.sqlite))),
  e2eOverSqlAlonePostgres: ratio(rate(e2e.postgres), rate(ok<SqlAloneResult>(sqlAlone.postgres))),
  sqliteOverBullmq: ratio(rate(e2e.sqlite), rate(ok<PeerResult>(peers.bullmq))),
  consumeOnlySqliteOverGraphileWorker: ratio(
    rate(consumeOnly.sqlite),
    rate(ok<PeerResult>(peers.graphileWorker)),
  ),
  consumeOnlySqliteOverBullmq: ratio(rate(consumeOnly.sqlite), rate(ok<PeerResult>(peers.bullmq))),
  consumeOnlyPostgresOverGraphileWorker: ratio(
    rate(consumeOnly.postgres),
    rate(ok<PeerResult>(peers.graphileWorker)),
  ),
  consumeOnlyPostgresOverBullmq: ratio(rate(consumeOnly.postgres), rate(ok<PeerResult>(peers.bullmq))),
  postgresOverGraphileWorker: ratio(rate(e2e.postgres), rate(ok<PeerResult>(peers.graphileWorker))),
  postgresNatsOverRawJetStream: ratio(rate(e2e['postgres+nats']), rate(ok<PeerResult>(peers.natsJetStream))),
  poisonHealthyOverBaseline: ratio(rate(poison.poisoned), rate(poison.baseline)),
  workflowsPostgresOverDbos: ratio(workflowRate(workflows.postgres), workflowRate(workflows.dbos)),
  workflowsPostgresOverRestate: ratio(workflowRate(workflows.postgres), workflowRate(workflows.restate)),
  workflowsSqliteOverDbos: ratio(workflowRate(workflows.sqlite), workflowRate(workflows.dbos)),
  workflowsSqliteOverRestate: ratio(workflowRate(workflows.sqlite), workflowRate(workflows.restate)),
  // Latency ratios: below 1 means Parley's steps follow each other sooner.
  stepP50PostgresOverDbos: ratio(stepP50(workflows.postgres), stepP50(workflows.dbos)),
  stepP50PostgresOverRestate: ratio(stepP50(workflows.postgres), stepP50(workflows.restate)),
};
const targets = {
  e2eAtLeast30PercentOfRawInsert:
    (ratios.e2eOverRawInsertSqlite ?? 0) >= 0.3 && (ratios.e2eOverRawInsertPostgres ?? 0) >= 0.3,
  atLeastTwiceBullmq: (ratios.sqliteOverBullmq ?? 0) >= 2,
  aheadOfPeersOnComparableWork: [
    ratios.consumeOnlySqliteOverGraphileWorker,
    ratios.consumeOnlySqliteOverBullmq,
    ratios.consumeOnlyPostgresOverGraphileWorker,
    ratios.consumeOnlyPostgresOverBullmq,
  ].every((r) => (r ?? 0) > 1),
  poisonHealthyAtLeast95Percent: (ratios.poisonHealthyOverBaseline ?? 0) >= 0.95,
  p99Under10msAtModerateLoad: (ok(latency)?.latencyMs.p99 ?? Infinity) < 10,
  healthyP99Under10msWithPoisonAtModerateLoad: (ok(poisonedLatency)?.latencyMs.p99 ?? Infinity) < 10,
  memoryFlat: (ok(mem)?.heapGrowth ?? Infinity) < 1.1,
  memoryBounded: ok<MemoryBoundsResult>(bounds)?.cases.every((c) => c.withinBound) ?? false,
  workflowsOnPostgresAheadOfDbosAndRestate:
    (ratios.workflowsPostgresOverDbos ?? 0) > 1 && (ratios.workflowsPostgresOverRestate ?? 0) > 1,
  // Throughput near the engines' limits: of the SQL alone, of raw JetStream, against graphile-worker.
  e2eAtLeast60PercentOfSqlAlone:
    (ratios.e2eOverSqlAloneSqlite ?? 0) >= 0.6 && (ratios.e2eOverSqlAlonePostgres ?? 0) >= 0.6,
  postgresAheadOfGraphileWorker: (ratios.consumeOnlyPostgresOverGraphileWorker ?? 0) > 1,
  postgresNatsAtLeast60PercentOfRawJetStream: (ratios.postgresNatsOverRawJetStream ?? 0) >= 0.6,
};
const results = {
  quick,
  machine: { cpus: os.cpus().length, memoryGiB: round(os.totalmem() / 1024 ** 3, 1), node: process.version },
  elapsedSeconds: round((Date.now() - started) / 1000, 1),
  rawInsert: raw,
  sqlAlone,
  entityCommands: commands,
  endToEnd: e2e,
  consumeOnly,
  backlog,
  latencyAtModerateLoad: latency,
  latencyAtModerateLoadPoisoned: poisonedLatency,
  poisonIsolation: poison,
  memory: mem,
  memoryBounds: bounds,
  peers,
  workflows,
  scaleOut: scaleOutRuns,
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
  { label: 'SQL alone, SQLite', value: rate(ok<SqlAloneResult>(sqlAlone.sqlite)) ?? 0 },
  { label: 'SQL alone, PostgreSQL', value: rate(ok<SqlAloneResult>(sqlAlone.postgres)) ?? 0 },
  { label: 'Parley, SQLite', value: rate(e2e.sqlite) ?? 0 },
  { label: 'Parley, PostgreSQL', value: rate(e2e.postgres) ?? 0 },
  { label: 'Parley, PostgreSQL + NATS', value: rate(e2e['postgres+nats']) ?? 0 },
  { label: 'Parley, SQLite, draining a backlog', value: rate(backlog.sqlite) ?? 0 },
  { label: 'Parley, PostgreSQL, draining a backlog', value: rate(backlog.postgres) ?? 0 },
  { label: 'Parley, SQLite, no-I/O handler', value: rate(consumeOnly.sqlite) ?? 0 },
  { label: 'Parley, PostgreSQL, no-I/O handler', value: rate(consumeOnly.postgres) ?? 0 },
  { label: 'graphile-worker', value: rate(ok<PeerResult>(peers.graphileWorker)) ?? 0 },
  { label: 'BullMQ', value: rate(ok<PeerResult>(peers.bullmq)) ?? 0 },
  { label: 'NATS JetStream (raw)', value: rate(ok<PeerResult>(peers.natsJetStream)) ?? 0 },
];
const latencyOf = (label: string, value: EndToEndResult | { error: string } | undefined) => {
  const ms = value === undefined ? undefined : ok(value)?.latencyMs;
  return ms === undefined
    ? []
    : [
        { label: `${label} p50`, value: ms.p50 },
        { label: `${label} p99`, value: ms.p99 },
        { label: `${label} p99.9`, value: ms.p999 },
      ];
};
const workflowRows = Object.values(workflows)
  .map((r) => ok<WorkflowBenchResult>(r))
  .filter((r): r is WorkflowBenchResult => r !== undefined);
const workflowBars = workflowRows.map((r) => ({ label: r.system, value: r.workflowsPerSecond }));
const stepBars = workflowRows.flatMap((r) => [
  { label: `${r.system} p50`, value: r.stepLatencyMs.p50 },
  { label: `${r.system} p99`, value: r.stepLatencyMs.p99 },
]);
const scaleOutRows = Object.entries(scaleOutRuns).map(([key, r]) => {
  const [engine, mode] = key.split(':') as [string, string];
  const what = `${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${mode === 'backlog' ? 'draining a backlog' : 'publishing while consuming'}`;
  const good = ok(r);
  return { what, one: good?.messagesPerSecond['1'], two: good?.messagesPerSecond['2'], ratio: good?.ratio };
});
const scaleOutBars = scaleOutRows.flatMap((r) => [
  { label: `${r.what}, 1 process`, value: r.one ?? 0 },
  { label: `${r.what}, 2 processes`, value: r.two ?? 0 },
]);
const latencyBars = [
  ...latencyOf('SQLite at 1,000 msg/s,', latency),
  ...latencyOf('SQLite at 1,000 msg/s, 1% poisoned,', poisonedLatency),
];
fs.writeFileSync(
  path.join(out, 'latest.svg'),
  barChartSvg([
    { title: 'messages per second, one run, this machine', bars },
    { title: 'publish → handler latency, ms', bars: latencyBars },
    { title: 'workflows of three journaled steps per second, 32 in flight', bars: workflowBars },
    { title: 'per-step latency (one step begins → the next begins), ms', bars: stepBars },
    { title: 'one service in 1 and 2 processes, messages per second', bars: scaleOutBars },
  ]),
);
const md = [
  `# Benchmark results${quick ? ' (quick)' : ''}`,
  '',
  `${results.machine.cpus} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}; Parley from its compiled packages (dist), as installed; ${results.elapsedSeconds} s in all.`,
  '',
  markdownTable(
    ['what', 'messages/s'],
    bars.map((b) => [b.label, b.value]),
  ),
  '',
  markdownTable(
    ['latency at 1,000 msg/s (SQLite), ms', 'no poison', '1% of keys poisoned (healthy keys)'],
    (['p50', 'p99', 'p999'] as const).map((q) => [
      q,
      ok(latency)?.latencyMs[q] ?? 'n/a',
      ok(poisonedLatency)?.latencyMs[q] ?? 'n/a',
    ]),
  ),
  '',
  markdownTable(
    [
      'workflow of three journaled steps, 32 in flight',
      'workflows/s',
      'step p50, ms',
      'step p99, ms',
      'workflow p50, ms',
      'workflow p99, ms',
    ],
    Object.entries(workflows).map(([name, r]) => {
      const good = ok<WorkflowBenchResult>(r);
      return good === undefined
        ? [name, `failed: ${'error' in r ? r.error : ''}`, 'n/a', 'n/a', 'n/a', 'n/a']
        : [
            good.system,
            good.workflowsPerSecond,
            good.stepLatencyMs.p50,
            good.stepLatencyMs.p99,
            good.workflowLatencyMs.p50,
            good.workflowLatencyMs.p99,
          ];
    }),
  ),
  '',
  markdownTable(
    [
      `memory (SQLite, readAheadBytes ${ok(bounds)?.readAheadMiB ?? 'n/a'} MiB; bound: live heap added ≤ ${ok(bounds)?.boundMiB ?? 'n/a'} MiB)`,
      'live heap before, MiB',
      'live heap max, MiB',
      'added, MiB',
      'RSS max, MiB',
      'within bound',
    ],
    (ok<MemoryBoundsResult>(bounds)?.cases ?? []).map((c) => [
      c.what,
      c.heapBefore,
      c.heapMax,
      c.heapGrowth,
      c.rssMax,
      c.withinBound ? 'yes' : 'no',
    ]),
  ),
  '',
  markdownTable(
    [
      `one service in 1 and 2 processes (leases; ${size.scaleOut} messages, rounds 1 2 2 1)`,
      '1 process, msg/s',
      '2 processes, msg/s',
      '2 / 1',
    ],
    scaleOutRows.map((r) => [r.what, r.one ?? 'failed', r.two ?? 'failed', r.ratio ?? 'n/a']),
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
  '![throughput and latency](latest.svg)',
  '',
].join('\n');
fs.writeFileSync(path.join(out, 'latest.md'), md);
process.stderr.write(`wrote ${path.relative(process.cwd(), out)}/latest.{json,md,svg}\n`);
console.log(md);
