import { InvalidArgumentError, Option, type Command } from 'commander';
import { silentLogger } from '@parley/core';
import {
  parseFaults,
  parseReplay,
  simulate,
  type FaultRates,
  type SimulateOptions,
  type SimulationReport,
} from '@parley/testing/simulation';
import { positiveInt } from '../positiveInt.ts';
import { progressLine } from '../progressLine.ts';
import { importDemo } from './demoPackage.ts';

interface SimulateCommandOptions {
  seeds: number;
  from: number;
  faults: FaultRates;
  size?: number;
  replay?: string;
  plantBug?: boolean;
  orchestrated?: boolean;
  checkDeterminism?: boolean;
  json?: boolean;
}

type Story = 'cinema' | 'tasks';

/** The story's simulation for one seed. */
async function loadStory(
  story: Story,
  options: SimulateCommandOptions,
): Promise<(seed: number) => Pick<SimulateOptions, 'seed' | 'services' | 'workload' | 'invariants'>> {
  if (story === 'cinema') {
    const { cinemaSimulation } = await importDemo(
      '@parley/example-cinema',
      () => import('@parley/example-cinema'),
    );
    return (seed) =>
      cinemaSimulation({
        seed,
        faults: options.faults,
        ...(options.size === undefined ? {} : { reservations: options.size }),
        ...(options.plantBug === true ? { plantBug: true } : {}),
        ...(options.orchestrated === true ? { orchestrated: true } : {}),
      });
  }
  if (options.plantBug === true) throw new InvalidArgumentError('--plant-bug is for the cinema story');
  if (options.orchestrated === true) throw new InvalidArgumentError('--orchestrated is for the cinema story');
  const { tasksSimulation } = await importDemo(
    '@parley/example-tasks',
    () => import('@parley/example-tasks'),
  );
  return (seed) =>
    tasksSimulation({
      seed,
      faults: options.faults,
      ...(options.size === undefined ? {} : { tasks: options.size }),
    });
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'run a story under deterministic simulation, seed after seed: virtual time, an in-memory backend and ' +
        'injected faults; prints each failing seed with the command that replays it',
    )
    .argument('<story>', 'cinema or tasks', (value) => {
      if (value !== 'cinema' && value !== 'tasks')
        throw new InvalidArgumentError(`the story is cinema or tasks, got ${JSON.stringify(value)}`);
      return value;
    })
    .option('--seeds <n>', 'how many seeds to run', (v) => positiveInt(v, '--seeds'), 100)
    .option('--from <seed>', 'the first seed', (v) => positiveInt(v, '--from'), 1)
    .addOption(
      new Option(
        '--faults <list>',
        'all, none, or kinds with optional rates: crashAfterCommit,duplicates=0.2,…',
      )
        .argParser((v) => {
          try {
            return parseFaults(v);
          } catch (error) {
            throw new InvalidArgumentError((error as Error).message);
          }
        })
        .default(parseFaults('all'), 'all'),
    )
    .option('--size <n>', 'reservations (cinema) or tasks (tasks) per seed', (v) => positiveInt(v, '--size'))
    .option('--replay <seed/faults>', 'run exactly one seed with the faults a failure printed', (v) => {
      try {
        parseReplay(v);
        return v;
      } catch (error) {
        throw new InvalidArgumentError(`--replay: ${(error as Error).message}`);
      }
    })
    .option(
      '--plant-bug',
      'cinema: run the wallet on an engine that commits its checkpoint before the charge',
    )
    .option('--orchestrated', 'cinema: tell the story as an orchestration (a workflow run per reservation)')
    .option('--check-determinism', 'run every seed twice and fail when the two runs differ')
    .option('--json', 'print the summary as JSON')
    .action(async (story: Story, options: SimulateCommandOptions) => {
      const build = await loadStory(story, options);
      const seeds =
        options.replay === undefined
          ? Array.from({ length: options.seeds }, (_, i) => options.from + i)
          : [parseReplay(options.replay).seed];
      const flags = [
        `--faults '${formatFaults(options.faults)}'`,
        options.size === undefined ? '' : `--size ${options.size}`,
        options.plantBug === true ? '--plant-bug' : '',
        options.orchestrated === true ? '--orchestrated' : '',
      ].filter((f) => f !== '');
      const progress = progressLine(options.json !== true);
      const failures: SimulationReport[] = [];
      const totals = { seeds: 0, messages: 0, faults: 0, invariantsChecked: 0, virtualMs: 0 };
      for (const seed of seeds) {
        const report = await simulate({
          ...build(seed),
          seed,
          ...(options.replay === undefined ? {} : { replay: options.replay }),
          ...(options.checkDeterminism === true ? { checkDeterminism: true } : {}),
          logger: silentLogger,
          replayCommand: (replay) => `parley simulate ${story} ${flags.join(' ')} --replay '${replay}'`,
        });
        totals.seeds++;
        totals.messages += report.messages;
        totals.faults += Object.values(report.faults).reduce((sum, n) => sum + n, 0);
        totals.invariantsChecked += report.invariantsChecked;
        totals.virtualMs += report.virtualMs;
        if (!report.ok) {
          failures.push(report);
          if (options.json !== true)
            process.stdout.write(
              `seed ${seed} failed: ${report.violations.join('; ')}\n  replay: ${report.command}\n`,
            );
        }
        progress.update(
          `simulate ${story}: ${totals.seeds}/${seeds.length} seeds, ${failures.length} failed`,
        );
      }
      progress.done();
      const summary = {
        story,
        ...totals,
        failed: failures.map((f) => ({ seed: f.seed, violations: f.violations, replay: f.command })),
      };
      if (options.json === true) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else
        process.stdout.write(
          `${story}: ${totals.seeds} seeds, ${totals.messages} simulated messages, ${totals.faults} faults injected, ` +
            `${totals.invariantsChecked} invariants checked, ${Math.round(totals.virtualMs / 1000)} s of virtual time: ` +
            `${failures.length === 0 ? 'all held' : `${failures.length} failed`}\n`,
        );
      if (failures.length > 0) process.exitCode = 1;
    });
}

function formatFaults(faults: FaultRates): string {
  const parts = Object.entries(faults).map(([kind, rate]) => `${kind}=${rate}`);
  return parts.length === 0 ? 'none' : parts.join(',');
}
