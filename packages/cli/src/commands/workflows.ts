import { timeline, type TimelineLine } from '@parley/console';
import { RunStatus, type Journal, type RunCheck, type WorkflowRunSummary } from '@parley/core';
import { InvalidArgumentError, type Command } from 'commander';
import { formatTable } from '../formatTable.ts';
import { loadAppWorkflows } from '../loadApp.ts';
import { progressLine } from '../progressLine.ts';
import { positiveInt } from '../positiveInt.ts';
import {
  actorOption,
  backendOptions,
  printJson,
  withAdmin,
  type ActorFlags,
  type BackendFlags,
} from './adminOptions.ts';

type ListFlags = BackendFlags & { workflow?: string; status?: RunStatus; limit: number; after?: string };

const STATUSES = Object.values(RunStatus);

/** `parley workflows …`: the workflow runs of a service's store, their timelines, and what operators do to them. */
export function registerWorkflows(program: Command): void {
  const workflows = program
    .command('workflows')
    .description('list, inspect, cancel, resume and retry workflow runs, and check new code against them');

  backendOptions(workflows.command('list'))
    .description('list workflow runs, by workflow and run id')
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--status <status>', `only runs in this state (${STATUSES.join(', ')})`, parseStatus)
    .option('--limit <n>', 'at most this many (one page)', (v) => positiveInt(v, '--limit'), 100)
    .option('--after <workflow/run>', 'only runs after this one: the last of the previous page')
    .action(async (flags: ListFlags) => {
      const found = await withAdmin(flags, (admin) =>
        admin.workflows.list({
          ...(flags.workflow === undefined ? {} : { workflow: flags.workflow }),
          ...(flags.status === undefined ? {} : { status: flags.status }),
          ...(flags.after === undefined ? {} : { after: flags.after }),
          limit: flags.limit + 1,
        }),
      );
      const list = found.slice(0, flags.limit);
      const last = found.length > flags.limit ? list.at(-1) : undefined;
      const more =
        last === undefined
          ? undefined
          : `more runs: run again with --after ${last.workflow}/${last.runId} for the next ${flags.limit}`;
      if (flags.json) {
        printJson(list);
        if (more !== undefined) console.error(`parley: ${more}`);
        return;
      }
      if (list.length === 0) return console.log('no workflow runs');
      console.log(runTable(list));
      if (more !== undefined) console.log(`(${list.length} shown; ${more})`);
    });

  backendOptions(workflows.command('show'))
    .description(
      'show a run and its timeline: steps, attempts, errors, timers, waits, messages, compensations',
    )
    .argument('<workflow>', 'the workflow name')
    .argument('<run>', 'the run id')
    .action(async (workflow: string, runId: string, flags: BackendFlags) => {
      const { run, journal } = await withAdmin(flags, (admin) => admin.workflows.show(workflow, runId));
      if (flags.json) return printJson({ run, timeline: timeline(journal) });
      console.log(describeRun(run, journal));
    });

  actorOption(backendOptions(workflows.command('cancel')))
    .description('ask a run to stop: its compensations run, newest first, and it ends cancelled')
    .argument('<workflow>', 'the workflow name')
    .argument('<run>', 'the run id')
    .option('--reason <text>', 'why, for the journal')
    .action(
      async (workflow: string, runId: string, flags: BackendFlags & ActorFlags & { reason?: string }) => {
        await withAdmin(flags, (admin) =>
          admin.workflows.cancel(workflow, runId, {
            by: flags.by,
            ...(flags.reason === undefined ? {} : { reason: flags.reason }),
          }),
        );
        if (flags.json) printJson({ workflow, runId, cancel: 'requested' });
        else
          console.log(`asked ${workflow} run ${runId} to cancel: a running service compensates and ends it`);
      },
    );

  backendOptions(workflows.command('check'))
    .description(
      'before deploying: replay every unfinished run against the workflows an app module exports, with no ' +
        'side effects, and list the runs that would diverge from their journals and where (exit 1 if any)',
    )
    .requiredOption('--app <module>', 'the module (JavaScript or TypeScript) that exports the new workflows')
    .option('--workflow <name>', 'only runs of this workflow')
    .action(async (flags: BackendFlags & { app: string; workflow?: string }) => {
      const code = await loadAppWorkflows(flags.app);
      const progress = progressLine(!flags.json);
      const checks = await withAdmin(flags, (admin) =>
        admin.workflows.check(code, {
          ...(flags.workflow === undefined ? {} : { workflow: flags.workflow }),
          onProgress: ({ checked, diverging }) =>
            progress.update(`checked ${checked} runs, ${diverging} would diverge`),
        }),
      );
      progress.done();
      const diverging = checks.filter((c) => c.outcome === 'diverges');
      const unknown = checks.filter((c) => c.outcome === 'unknown-workflow');
      if (flags.json) {
        printJson(checks);
      } else {
        if (diverging.length > 0) console.log(divergenceTable(diverging));
        const names = [...new Set(unknown.map((c) => c.workflow))].join(', ');
        console.log(
          `checked ${checks.length} unfinished runs against ${code.map((w) => w.name).join(', ')}: ` +
            `${diverging.length} would diverge` +
            (unknown.length === 0
              ? ''
              : `; ${unknown.length} of workflows the module does not export (${names})`),
        );
      }
      if (diverging.length > 0) process.exitCode = 1;
    });

  actorOption(backendOptions(workflows.command('resume')))
    .description('resume a parked run at the step that parked, with a fresh retry budget')
    .argument('<workflow>', 'the workflow name')
    .argument('<run>', 'the run id')
    .action(async (workflow: string, runId: string, flags: BackendFlags & ActorFlags) => {
      await withAdmin(flags, (admin) => admin.workflows.resume(workflow, runId, { by: flags.by }));
      if (flags.json) printJson({ workflow, runId, resumed: true });
      else console.log(`resumed ${workflow} run ${runId}: a running service goes on at the step that parked`);
    });

  actorOption(backendOptions(workflows.command('retry')))
    .description('retry now the step a run waits to retry, instead of at its delayed retry')
    .argument('<workflow>', 'the workflow name')
    .argument('<run>', 'the run id')
    .action(async (workflow: string, runId: string, flags: BackendFlags & ActorFlags) => {
      await withAdmin(flags, (admin) => admin.workflows.retry(workflow, runId, { by: flags.by }));
      if (flags.json) printJson({ workflow, runId, retried: true });
      else console.log(`${workflow} run ${runId} retries its step now`);
    });
}

function divergenceTable(checks: ReadonlyArray<RunCheck & { outcome: 'diverges' }>): string {
  return formatTable<RunCheck & { outcome: 'diverges' }>(
    [
      { header: 'WORKFLOW', value: (c) => c.workflow },
      { header: 'RUN', value: (c) => c.runId },
      { header: 'STATUS', value: (c) => c.status },
      { header: '#', value: (c) => c.seq, align: 'right' },
      { header: 'JOURNAL HOLDS', value: (c) => c.journal, maxWidth: 40 },
      { header: 'CODE ASKS FOR', value: (c) => c.code, maxWidth: 40 },
    ],
    checks,
  );
}

function parseStatus(value: string): RunStatus {
  if (!(STATUSES as string[]).includes(value))
    throw new InvalidArgumentError(`unknown status ${JSON.stringify(value)}: one of ${STATUSES.join(', ')}`);
  return value as RunStatus;
}

function runTable(runs: ReadonlyArray<WorkflowRunSummary>): string {
  return formatTable<WorkflowRunSummary>(
    [
      { header: 'WORKFLOW', value: (r) => r.workflow },
      { header: 'RUN', value: (r) => r.runId },
      { header: 'STATUS', value: (r) => r.status },
      { header: 'STEP', value: (r) => r.step ?? '' },
      { header: 'UPDATED', value: (r) => r.updatedAt },
      { header: 'ERROR', value: (r) => r.error?.message ?? '', maxWidth: 60 },
    ],
    runs,
  );
}

function describeRun(run: WorkflowRunSummary, journal: Journal): string {
  const head = [
    `${run.workflow} run ${run.runId}: ${run.status}`,
    `started ${run.startedAt}, last change ${run.updatedAt}`,
    ...(run.error === null ? [] : [`error: ${run.error.message}`]),
    '',
  ];
  const start = Date.parse(journal.entries[0]?.at ?? run.startedAt);
  const table = formatTable<TimelineLine>(
    [
      { header: '+MS', value: (l) => String(Date.parse(l.at) - start), align: 'right' },
      { header: 'WHAT', value: (l) => l.what },
      { header: '#', value: (l) => l.seq ?? '' },
      { header: 'NAME', value: (l) => l.name ?? '' },
      { header: 'TOOK MS', value: (l) => (l.tookMs === null ? '' : String(l.tookMs)), align: 'right' },
      { header: 'DETAIL', value: (l) => l.detail, maxWidth: 100 },
    ],
    timeline(journal),
  );
  return [...head, table].join('\n');
}
