import { isoTime } from '../clock/isoTime.ts';
import type { ConsumerOptions, ConsumerSourceDefinition } from '../consumer/defineConsumer.ts';
import { defineEntity, type AnyEntity } from '../entity/defineEntity.ts';
import { isConcurrencyError } from '../errors/ConcurrencyError.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import { deriveMessageId, newMessageId } from '../ids/MessageId.ts';
import { emptyChange } from '../ports/Change.ts';
import type { ErrorRecord } from '../ports/DeadLetter.ts';
import { objectSchema } from '../schema/objectSchema.ts';
import { validate, type SchemaMap } from '../schema/validate.ts';
import type { ServiceInternals } from '../service/ServiceInternals.ts';
import { defineTopic, type TopicDefinition } from '../topic/defineTopic.ts';
import { Activation, type ActivationHost } from './Activation.ts';
import type { AnyWorkflow, WorkflowDefinition } from './defineWorkflow.ts';
import {
  entryData,
  isFinished,
  journalStream,
  JOURNAL_ENTRY_TYPES,
  markJournalEntity,
  readJournal,
  runCorrelationId,
  RunStatus,
  type InboxMessage,
  type Journal,
  type JournalEntry,
} from './Journal.ts';
import { runDocument, RUNS_MODEL, type WorkflowRunSummary } from './runDocument.ts';
import { defineReadModel } from '../readmodel/defineReadModel.ts';
import type { HandlerContext } from '../consumer/HandlerContext.ts';
import { WorkflowParkedError } from './workflowErrors.ts';
import { cancelRun } from './cancelRun.ts';
import { wakeMessage, wakeTopicName, WAKE_PARTITIONS } from './wakeMessage.ts';

const runsModel = defineReadModel<WorkflowRunSummary>({ name: RUNS_MODEL });

/** A wake-up: the run `runId` of `workflow` has something to do (it started, a timer fired, a message came). */
interface Wake {
  readonly workflow: string;
  readonly runId: string;
  readonly reason: string;
}

/** A run, as `service.workflows.start` and `get` return it. */
export interface WorkflowHandle<O> {
  readonly workflow: string;
  readonly runId: string;
  /** Resolves with the run's output once it completes; rejects with `WorkflowFailedError` if it fails or is cancelled. */
  result(options?: { timeoutMs?: number }): Promise<O>;
  /** Asks the run to stop: its compensations run, newest first, and it ends `cancelled`. */
  cancel(reason: string, actor?: { by: string }): Promise<void>;
  /** The run's journal: its timeline. */
  journal(): Promise<Journal>;
}

/** A run ended without a result. */
export class WorkflowFailedError extends ParleyError {
  constructor(workflow: string, runId: string, status: RunStatus, error: ErrorRecord | undefined) {
    super(
      status === RunStatus.cancelled ? 'WORKFLOW_CANCELLED' : 'WORKFLOW_FAILED',
      `workflow ${workflow} run ${runId} ${status}${error === undefined ? '' : `: ${error.message}`}`,
      { details: { workflow, runId, status } },
    );
    this.name = 'WorkflowFailedError';
  }
}

/** The service's workflows: `service.workflows`. */
export interface Workflows {
  /**
   * Starts a run of `workflow` under `runId`, idempotently: starting an id that exists returns the first run,
   * whatever `input` says now. The input is validated first; an invalid one is refused and nothing is written.
   */
  start<I, O>(workflow: WorkflowDefinition<I, O>, runId: string, input: I): Promise<WorkflowHandle<O>>;
  /** A handle on an existing (or future) run. */
  get<I, O>(workflow: WorkflowDefinition<I, O>, runId: string): WorkflowHandle<O>;
  /** Runs of this service's store, newest activity last, filtered by workflow and status. */
  list(filter?: {
    workflow?: string;
    status?: RunStatus;
    limit?: number;
    after?: string;
  }): Promise<WorkflowRunSummary[]>;
}

/**
 * Runs a service's workflows on its own machinery: each run's journal is a stream in the service's store; a
 * wake-up topic (`<service>.workflows`, keyed by run id) and its consumer activate runs — one at a time per run,
 * on the instance that leases its partition — with the consumers' retries and dead letters; timers wake runs up
 * through the service's durable timers; inbox consumers copy routed messages into the journals of their runs.
 */
export class WorkflowRuntime {
  readonly wakeTopic: TopicDefinition;
  private readonly workflows = new Map<string, AnyWorkflow>();
  private readonly inboxEntities = new Map<string, AnyEntity>();
  /** Callers of `handle.result()` in this process, by `<workflow>/<run id>`: told at once when a run here ends. */
  private readonly awaitingEnd = new Map<string, Set<() => void>>();
  private readonly host: ActivationHost;

  constructor(
    private readonly internals: ServiceInternals,
    private readonly register: {
      entity(entity: AnyEntity): void;
      consumer(options: ConsumerOptions<ConsumerSourceDefinition>): void;
    },
  ) {
    this.wakeTopic = defineTopic({
      name: wakeTopicName(internals.name),
      partitions: WAKE_PARTITIONS,
      messages: { Wake: objectSchema<Wake>() },
    });
    this.host = {
      store: internals.store,
      clock: internals.clock,
      logger: internals.logger,
      service: internals.name,
      ensureTopic: (topic) => internals.ensureTopic(topic),
      committed: (change, runId) => {
        internals.committed(change);
        for (const workflow of this.workflows.keys()) internals.evictSnapshot(journalStream(workflow), runId);
      },
    };
  }

  /** Registers a workflow and the consumers it needs. */
  add(workflow: AnyWorkflow): void {
    if (this.workflows.has(workflow.name))
      throw new ParleyError('DUPLICATE_WORKFLOW', `workflow ${workflow.name} is already registered`);
    if (this.workflows.size === 0) this.registerWakeConsumer();
    this.workflows.set(workflow.name, workflow);
    const inbox = inboxEntity(workflow.name);
    this.inboxEntities.set(workflow.name, inbox);
    this.register.entity(inbox);
    for (const route of workflow.inbox) {
      this.register.consumer({
        name: `${this.internals.name}.${workflow.name}.inbox.${route.topic.name}`,
        source: route.topic,
        handle: async (message, ctx) => {
          const runId = route.runId(message);
          if (runId === undefined) return;
          const received: InboxMessage = {
            id: message.id,
            type: message.type,
            key: message.key,
            payload: message.payload,
            headers: message.headers as Record<string, string>,
            occurredAt: message.occurredAt,
            source: message.source,
          };
          await ctx.execute(
            inbox,
            runId,
            { type: 'Receive', data: { message: received } },
            { commandId: deriveMessageId(message.id, `${workflow.name}/inbox`, 0) },
          );
          await ctx.publish(this.wakeTopic, {
            type: 'Wake',
            key: runId,
            payload: { workflow: workflow.name, runId, reason: `message ${message.id}` },
          });
        },
      } as ConsumerOptions<ConsumerSourceDefinition>);
    }
  }

  get size(): number {
    return this.workflows.size;
  }

  readonly api: Workflows = {
    start: async <I, O>(workflow: WorkflowDefinition<I, O>, runId: string, input: I) => {
      const known = this.known(workflow);
      if (typeof runId !== 'string' || runId.length === 0)
        throw new TypeError(`workflow ${workflow.name}: a run needs a non-empty string id`);
      const valid: unknown = await validate(known.input, input, () => `workflow ${workflow.name} input`);
      for (let attempt = 1; ; attempt++) {
        const journal = await this.journal(workflow.name, runId);
        if (journal.started) return this.handle<O>(workflow.name, runId);
        const now = this.internals.clock.now();
        try {
          const wake = wakeMessage(this.run(workflow.name, runId), 'start', now);
          await this.internals.store.commit({
            ...emptyChange,
            appends: [
              {
                entity: journalStream(workflow.name),
                entityId: runId,
                expectedVersion: journal.version,
                unordered: true,
                events: [
                  this.event(workflow.name, runId, { type: 'WorkflowStarted', input: valid ?? null }, now),
                ],
              },
            ],
            outgoing: [wake],
            documents: [
              {
                model: RUNS_MODEL,
                id: `${workflow.name}/${runId}`,
                doc: runDocument({
                  service: this.internals.name,
                  workflow: workflow.name,
                  runId,
                  status: RunStatus.running,
                  startedAt: isoTime(now),
                  updatedAt: isoTime(now),
                  step: null,
                  error: undefined,
                }),
              },
            ],
          });
          this.host.committed({ timers: [], outgoing: [wake] }, runId);
          return this.handle<O>(workflow.name, runId);
        } catch (error) {
          // Someone else started it, or a message reached its inbox first: look again.
          if (!isConcurrencyError(error) || attempt >= 10) throw error;
        }
      }
    },
    get: <I, O>(workflow: WorkflowDefinition<I, O>, runId: string) => {
      this.known(workflow);
      return this.handle<O>(workflow.name, runId);
    },
    list: async (filter = {}) => {
      const where: Record<string, string> = {};
      if (filter.workflow !== undefined) where.workflow = filter.workflow;
      if (filter.status !== undefined) where.status = filter.status;
      const found = await this.internals.store.findDocuments(RUNS_MODEL, {
        where,
        limit: filter.limit ?? 100,
        ...(filter.after === undefined ? {} : { after: filter.after }),
      });
      return found.map((d) => d.doc as WorkflowRunSummary);
    },
  };

  /**
   * Starts a run inside a handler's unit of work, committed with it (the run's first journal entry, its wake-up
   * and its listing): idempotent by run id like `start`, and by the handled message on a redelivery.
   */
  async startIn<I>(
    ctx: HandlerContext,
    workflow: WorkflowDefinition<I, unknown>,
    runId: string,
    input: I,
  ): Promise<void> {
    const known = this.known(workflow);
    if (typeof runId !== 'string' || runId.length === 0)
      throw new TypeError(`workflow ${workflow.name}: a run needs a non-empty string id`);
    const valid: unknown = await validate(known.input, input, () => `workflow ${workflow.name} input`);
    const outcome = await ctx.execute(
      this.inboxEntities.get(workflow.name)!,
      runId,
      { type: 'Start', data: { input: valid ?? null } },
      { commandId: deriveMessageId(ctx.message.id, `${workflow.name}/start/${runId}`, 0) },
    );
    if (outcome.status !== 'accepted' || outcome.events.length === 0) return;
    const now = this.internals.clock.now();
    await ctx.publish(this.wakeTopic, {
      type: 'Wake',
      key: runId,
      payload: { workflow: workflow.name, runId, reason: 'start' },
    });
    await ctx.readModel(runsModel).set(
      `${workflow.name}/${runId}`,
      runDocument({
        service: this.internals.name,
        workflow: workflow.name,
        runId,
        status: RunStatus.running,
        startedAt: isoTime(now),
        updatedAt: isoTime(now),
        step: null,
        error: undefined,
      }),
    );
  }

  /** Activates a run: the wake consumer's handler. */
  async activate(wake: Wake, signal?: AbortSignal): Promise<void> {
    const workflow = this.workflows.get(wake.workflow);
    if (workflow === undefined) {
      throw new ParleyError(
        'UNKNOWN_WORKFLOW',
        `workflow ${wake.workflow} is not registered with this service`,
      );
    }
    const journal = await this.journal(workflow.name, wake.runId);
    if (!journal.started) return;
    const outcome = await new Activation(this.host, workflow, wake.runId, journal, signal).run();
    if (outcome === 'finished') {
      for (const wake_ of this.awaitingEnd.get(runCorrelationId(workflow.name, wake.runId)) ?? []) wake_();
    }
  }

  /**
   * Resolves when the run ends in this process, or when the store says its events changed — at most every
   * `minIntervalMs`, so many callers waiting for runs that end elsewhere do not each read on every commit.
   */
  private async nextLook(key: string, timeoutMs: number, minIntervalMs: number): Promise<void> {
    let wake!: () => void;
    const ended = new Promise<void>((resolve) => (wake = resolve));
    const waiting = this.awaitingEnd.get(key) ?? new Set();
    waiting.add(wake);
    this.awaitingEnd.set(key, waiting);
    const clock = this.internals.clock;
    const until = clock.now() + timeoutMs;
    try {
      const changed = this.internals.store.waitForChange(timeoutMs, undefined, ['events']);
      await Promise.race([
        ended,
        changed.then(() => clock.sleep(Math.min(minIntervalMs, until - clock.now()))),
      ]);
    } finally {
      waiting.delete(wake);
      if (waiting.size === 0) this.awaitingEnd.delete(key);
    }
  }

  private registerWakeConsumer(): void {
    this.register.consumer({
      name: `${this.internals.name}.workflows`,
      source: this.wakeTopic,
      concurrency: 32,
      // A parked run leaves its wake-up in the dead-letter store at once, with the key (its run id) blocked:
      // operators see it beside the consumers' dead letters, and a redrive resumes the run.
      classify: [{ error: WorkflowParkedError, as: 'invalid' }],
      handle: { Wake: (message, ctx) => this.activate(message.payload as Wake, ctx.signal) },
    } as ConsumerOptions<ConsumerSourceDefinition>);
  }

  private known(workflow: AnyWorkflow): AnyWorkflow {
    const registered = this.workflows.get(workflow.name);
    if (registered === undefined) {
      throw new ParleyError(
        'UNKNOWN_WORKFLOW',
        `workflow ${workflow.name} is not registered with service ${this.internals.name}: call service.workflow(${workflow.name}) first`,
      );
    }
    return registered;
  }

  private async journal(workflow: string, runId: string): Promise<Journal> {
    return readJournal(await this.internals.store.readStream(journalStream(workflow), runId, 0));
  }

  private handle<O>(workflow: string, runId: string): WorkflowHandle<O> {
    return {
      workflow,
      runId,
      journal: () => this.journal(workflow, runId),
      result: async (options = {}) => {
        const deadline = this.internals.clock.now() + (options.timeoutMs ?? 60_000);
        for (;;) {
          const journal = await this.journal(workflow, runId);
          if (journal.status === RunStatus.completed) return journal.output as O;
          if (isFinished(journal.status))
            throw new WorkflowFailedError(workflow, runId, journal.status, journal.error);
          if (this.internals.clock.now() >= deadline) {
            throw new ParleyError(
              'RESULT_TIMEOUT',
              `workflow ${workflow} run ${runId} is still ${journal.status}`,
            );
          }
          await this.nextLook(
            runCorrelationId(workflow, runId),
            Math.min(1000, deadline - this.internals.clock.now()),
            100,
          );
        }
      },
      cancel: async (reason, actor = { by: 'api' }) => {
        await cancelRun(
          this.internals.store,
          this.internals.clock,
          this.run(workflow, runId),
          reason,
          actor.by,
        );
      },
    };
  }

  private run(workflow: string, runId: string) {
    return { service: this.internals.name, workflow, runId };
  }

  private event(workflow: string, runId: string, entry: JournalEntry, now: number) {
    return {
      id: newMessageId(now),
      type: entry.type,
      data: entryData(entry),
      metadata: { correlationId: runCorrelationId(workflow, runId) },
      occurredAt: isoTime(now),
    };
  }
}

/**
 * The run's stream as an entity, so consumers write to it with their checkpoint: inbox consumers append received
 * messages, and a handler's `ctx.startWorkflow` starts a run (once: a started run stays as it is).
 */
function inboxEntity(workflow: string): AnyEntity {
  const events: SchemaMap = Object.fromEntries(
    JOURNAL_ENTRY_TYPES.map((type) => [type, objectSchema<object>()]),
  );
  return markJournalEntity(
    defineEntity({
      name: journalStream(workflow),
      initialState: () => ({ started: false }),
      commands: {
        Receive: objectSchema<{ message: InboxMessage }>(),
        Start: objectSchema<{ input: unknown }>(),
      },
      events,
      decide: (state, command) =>
        command.type === 'Receive'
          ? { type: 'MessageReceived', data: command.data }
          : state.started
            ? []
            : { type: 'WorkflowStarted', data: command.data },
      evolve: (state, event) => (event.type === 'WorkflowStarted' ? { started: true } : state),
    }),
  );
}
