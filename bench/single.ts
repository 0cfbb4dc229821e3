// `npm run bench:single -- <scenario> [<scenario> …] [--count N] [--rounds N]`: only the named scenarios, in
// alternating rounds (A B, B A, A B, …), each in a fresh backend; prints each run and each scenario's mean.
// Writes nothing to bench/results: figures from here are for comparing changes within one sitting.
//
// Scenarios: e2e:sqlite, e2e:postgres, e2e:postgres+nats (publish → consume → the handler commits an entity
// event; 1,000 keys, 64 handlers in flight, as in the full run), sql-alone:sqlite and sql-alone:postgres (the
// same statements with no Parley code), peer:nats-jetstream (raw JetStream), and scale:<engine>:<processes>
// (engine sqlite, postgres or postgres+nats; 1, 2 or 4 processes of one service sharing the partitions through leases,
// draining a backlog) and scale-live:<engine>:<processes> (the same while this process publishes).
import { parseArgs } from 'node:util';
import { openBackend, type BenchBackend } from './backends.ts';
import { benchPayload } from './payload.ts';
import { run as natsJetStream } from './peers/natsJetStream.ts';
import { endToEnd } from './scenarios/endToEnd.ts';
import { scaleOut } from './scenarios/scaleOut.ts';
import { sqlAlonePostgres, sqlAloneSqlite } from './scenarios/sqlAlone.ts';

const scenarios: Record<string, (count: number) => Promise<number>> = {
  'e2e:sqlite': (count) => e2e('sqlite', count),
  'e2e:postgres': (count) => e2e('postgres', count),
  'e2e:postgres+nats': (count) => e2e('postgres+nats', count),
  'sql-alone:sqlite': async (count) => (await sqlAloneSqlite(count)).messagesPerSecond,
  'sql-alone:postgres': async (count) => (await sqlAlonePostgres(count)).messagesPerSecond,
  'peer:nats-jetstream': async (count) =>
    (await natsJetStream({ count, payload: benchPayload(0), concurrency: 64 })).messagesPerSecond,
};
for (const engine of ['sqlite', 'postgres', 'postgres+nats'] as const) {
  for (const processes of [1, 2, 4]) {
    for (const mode of ['backlog', 'live'] as const) {
      scenarios[`${mode === 'backlog' ? 'scale' : 'scale-live'}:${engine}:${processes}`] = async (count) =>
        (await scaleOut({ engine, processes, count, mode })).messagesPerSecond;
    }
  }
}

async function e2e(name: BenchBackend['name'], count: number): Promise<number> {
  const backend = await openBackend(name);
  try {
    return (await endToEnd(backend, { count, keys: 1000, concurrency: 64 })).messagesPerSecond;
  } finally {
    await backend.close();
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string', default: '50000' }, rounds: { type: 'string', default: '2' } },
});
const count = Number(values.count);
const rounds = Number(values.rounds);
const unknown = positionals.filter((name) => !(name in scenarios));
if (positionals.length === 0 || unknown.length > 0 || !(count > 0) || !(rounds > 0)) {
  process.stderr.write(
    `usage: bench/single.ts <scenario> [<scenario> …] [--count N] [--rounds N]\n` +
      `scenarios: ${Object.keys(scenarios).join(', ')}\n`,
  );
  process.exit(2);
}

const rates = new Map<string, number[]>(positionals.map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? positionals : [...positionals].reverse();
  for (const name of order) {
    const rate = await scenarios[name]!(count);
    rates.get(name)!.push(rate);
    process.stdout.write(`round ${round + 1}  ${name.padEnd(28)} ${rate} msg/s\n`);
  }
}
const means = [...rates].map(([name, list]) => ({
  name,
  mean: Math.round(list.reduce((sum, r) => sum + r, 0) / list.length),
}));
for (const { name, mean } of means) process.stdout.write(`mean     ${name.padEnd(28)} ${mean} msg/s\n`);
const [first, second] = means;
if (first !== undefined && second !== undefined) {
  process.stdout.write(
    `ratio    ${first.name} / ${second.name} = ${(first.mean / second.mean).toFixed(3)}\n`,
  );
}
