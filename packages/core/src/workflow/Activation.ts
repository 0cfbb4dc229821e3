import type { Clock } from '../clock/Clock.ts';
import { isoTime } from '../clock/isoTime.ts';
import { errorRecord } from '../deadletter/errorRecord.ts';
import type { Delivered, MessageHeaders } from '../envelope/Envelope.ts';
import { compactHeaders } from '../envelope/headers.ts';
import { ensureError } from '../errors/ensureError.ts';
import { classifyError } from '../failure/classifyError.ts';
import { decideFailure } from '../failure/decideFailure.ts';
import { resolveRetryPolicy } from '../failure/RetryPolicy.ts';
import { deriveMessageId, newMessageId } from '../ids/MessageId.ts';
import { randomUuid } from '../ids/randomUuid.ts';
import type { Logger } from '../logging/Logger.ts';
import { emptyChange } from '../ports/Change.ts';
import type { ErrorRecord } from '../ports/DeadLetter.ts';
import type { OutgoingMessage } from '../ports/OutgoingMessage.ts';
import type { Store } from '../ports/Store.ts';
import type { NewEvent } from '../ports/StoredEvent.ts';
import type { TimerRecord } from '../ports/TimerRecord.ts';
import type { SchemaMap } from '../schema/validate.ts';
import { validate } from '../schema/validate.ts';
import type { PublishInput, TopicDefinition } from '../topic/defineTopic.ts';
import { prepareOutgoing } from '../topic/prepareOutgoing.ts';
import { decideRace, raceBranches } from './race.ts';
import { toDelivered } from './toDelivered.ts';
import { wakeMessage } from './wakeMessage.ts';
import type { AnyWorkflow, LateReply } from './defineWorkflow.ts';
import {
  entryData,
  isFinished,
  journalStream,
  RunStatus,
  runCorrelationId,
  type InboxMessage,
  type Journal,
  type RaceBranchEntry,
  type JournalEntry,
} from './Journal.ts';
import type {
  RaceBranch,
  RequestReply,
  StepEscalation,
  StepInfo,
  StepOptions,
  WaitOptions,
  WorkflowContext,
} from './WorkflowContext.ts';
import {
  NonDeterminismError,
  StepFailedError,
  WorkflowParkedError,
  WorkflowTimeoutError,
} from './workflowErrors.ts';
import { runDocument, RUNS_MODEL } from './runDocument.ts';

/** What an activation needs from the service. */
export interface ActivationHost {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The service's name: its wake-up topic is `<service>.workflows`. */
  readonly service: string;
  ensureTopic(topic: TopicDefinition): Promise<void>;
  /** A commit of this activation landed (wakes the timer loop, drops cached stream states). */
  committed(
    change: { timers: ReadonlyArray<TimerRecord>; outgoing: ReadonlyArray<OutgoingMessage> },
    runId: string,
  ): void;
}

/** How an activation ended. */
export type ActivationOutcome = 'finished' | 'suspended';

/** The run stopped replaying: suspended (waiting for time or a message) or at the frontier of a frozen replay. */
const HALT = Symbol('halt');

type OpKind = 'step' | 'value' | 'publish' | 'timer' | 'wait' | 'race';
const KIND_OF: Partial<Record<JournalEntry['type'], OpKind>> = {
  StepCompleted: 'step',
  StepFailed: 'step',
  StepParked: 'step',
  StepThrew: 'step',
  ValueRecorded: 'value',
  MessagePublished: 'publish',
  TimerStarted: 'timer',
  WaitStarted: 'wait',
  RaceStarted: 'race',
};

interface Compensation {
  readonly seq: string;
  readonly name: string;
  readonly run: (info: StepInfo) => Promise<unknown>;
  readonly options: StepOptions<unknown>;
}

/**
 * One activation of a workflow run: replays the workflow function against the run's journal, executes what the
 * journal does not hold yet — committing each result with its effects and the journal entry, in one
 * transaction, expecting the stream's version so no two activations ever both write — and stops when the run
 * finishes or has to wait (for a timer, a message or an operator).
 */
export class Activation {
  private version: number;
  private readonly bySeq = new Map<string, JournalEntry[]>();
  private readonly inbox: InboxMessage[] = [];
  /** When each inbox message was journaled, ms since the epoch: a race's message branch happened then. */
  private readonly receivedAt = new Map<string, number>();
  private readonly consumed = new Set<string>();
  private readonly lateHandled = new Set<string>();
  private readonly patches = new Map<string, boolean>();
  private readonly cancel: { reason: string } | undefined;
  private status: RunStatus;
  private readonly startedAt: string | undefined;
  private readonly input: unknown;
  private pending: NewEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Step attempts under way: an activation that halts waits for them before it returns. */
  private readonly working = new Set<Promise<unknown>>();
  private readonly compensations: Compensation[] = [];
  private readonly times = new WeakMap<JournalEntry, number>();
  private readonly order = new WeakMap<JournalEntry, number>();
  /** Where the last operator's "retry now" stands in the journal (-1: none). */
  private retryNowAt = -1;
  private halted = false;
  private haltResolve: (() => void) | undefined;
  /** Resolves when the current phase (the run, its compensations, a late reply) halts. */
  private phase!: Promise<typeof HALT>;
  /** Frozen: replay only, stop at the first thing the journal does not hold (cancellation). */
  private frozen = false;
  private counters = new Map<string, number>();
  private lastStep: string | null = null;
  private lastMainSeq = 0;
  /**
   * Why a commit of this activation failed. Its outcome may be unknown, and the journal may have moved on under a
   * concurrent activation: from then on this activation can tell nothing of the run. It stops where it is — no
   * workflow code sees the error, no step runs again — and the next activation starts over from the journal.
   */
  private broken: Error | undefined;
  private readonly brokenSignal: Promise<never>;
  private breakOff: (error: Error) => void = () => {};

  constructor(
    private readonly host: ActivationHost,
    private readonly workflow: AnyWorkflow,
    private readonly runId: string,
    journal: Journal,
    /** Aborts when the activation's work is dropped (its consumer rewound or stops): it then stops as broken. */
    private readonly signal?: AbortSignal,
  ) {
    this.brokenSignal = new Promise<never>((_, reject) => {
      this.breakOff = reject;
    });
    this.brokenSignal.catch(() => {});
    this.version = journal.version;
    this.status = journal.status;
    this.input = journal.input;
    this.startedAt = journal.entries.find((e) => e.entry.type === 'WorkflowStarted')?.at;
    let cancel: { reason: string } | undefined;
    journal.entries.forEach(({ entry, at }, i) => {
      this.times.set(entry, Date.parse(at));
      this.order.set(entry, i);
      if (entry.type === 'RunResumed') this.retryNowAt = i;
      this.index(entry, (reason) => (cancel = { reason }));
    });
    this.cancel = cancel;
    if (this.status === RunStatus.parked) {
      // Only an operator's redrive activates a parked run: it resumes.
      this.status = RunStatus.running;
      if (journal.entries.at(-1)?.entry.type === 'RunParked')
        this.pending.push(this.event({ type: 'RunResumed', by: 'redrive' }));
    }
    this.newPhase();
  }

  /** True once this activation must stop (see `broken`), a dropped one included. */
  private abandoned(): boolean {
    if (this.broken === undefined && this.signal?.aborted === true) {
      this.broken = ensureError(this.signal.reason);
      this.breakOff(this.broken);
    }
    return this.broken !== undefined;
  }

  private newPhase(): void {
    this.halted = false;
    this.phase = new Promise((resolve) => (this.haltResolve = () => resolve(HALT)));
  }

  private index(entry: JournalEntry, onCancel: (reason: string) => void): void {
    if ('seq' in entry) {
      const list = this.bySeq.get(entry.seq) ?? [];
      list.push(entry);
      this.bySeq.set(entry.seq, list);
      const main = Number(entry.seq);
      if (Number.isInteger(main)) this.lastMainSeq = Math.max(this.lastMainSeq, main);
    }
    if (entry.type === 'MessageReceived') {
      this.inbox.push(entry.message);
      this.receivedAt.set(entry.message.id, this.times.get(entry) ?? 0);
    }
    if (entry.type === 'WaitResolved') this.consumed.add(entry.messageId);
    if (entry.type === 'LateReplyHandled') this.lateHandled.add(entry.messageId);
    if (entry.type === 'PatchMarked') this.patches.set(entry.id, entry.value);
    if (entry.type === 'CancelRequested') onCancel(entry.reason);
  }

  /** Runs the activation; throws `WorkflowParkedError` when the run parks. */
  async run(): Promise<ActivationOutcome> {
    const work = (async () => {
      if (!isFinished(this.status)) await this.runMain();
      await this.handleLateReplies();
      await this.flush();
      return isFinished(this.status) ? 'finished' : 'suspended';
    })();
    // A failed commit ends the activation with its error, whatever is still waiting on the journal.
    return Promise.race([work, this.brokenSignal]);
  }

  /**
   * Replays the run's journal against the workflow's current code, executing and writing nothing: it stops at the
   * first thing the journal does not hold. Returns where the code diverges from the journal, if it does.
   */
  async check(): Promise<NonDeterminismError | undefined> {
    this.frozen = true;
    const outcome = await Promise.race([
      this.workflow.run(this.context(''), this.input).then(
        () => undefined,
        (error: unknown) => ensureError(error),
      ),
      this.phase,
    ]);
    if (outcome === HALT) return undefined;
    if (outcome instanceof NonDeterminismError) return outcome;
    if (outcome !== undefined) return undefined; // It fails as its journal says: it would compensate.
    try {
      this.checkNothingLeft();
      return undefined;
    } catch (error) {
      if (error instanceof NonDeterminismError) return error;
      throw error;
    }
  }

  // ---- the run itself ----------------------------------------------------------------------------------------

  private async runMain(): Promise<void> {
    const ctx = this.context('');
    this.frozen = this.cancel !== undefined;
    let outcome: { ok: true; value: unknown } | { ok: false; error: Error } | typeof HALT;
    try {
      outcome = await Promise.race([
        this.workflow.run(ctx, this.input).then(
          (value: unknown) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error: ensureError(error) }),
        ),
        this.phase,
      ]);
    } finally {
      await this.settleInFlight();
    }
    if (outcome === HALT) {
      if (this.cancel !== undefined && this.frozen) await this.finishCancelled(this.cancel.reason);
      return;
    }
    if (outcome.ok) {
      if (this.cancel !== undefined) return this.finishCancelled(this.cancel.reason);
      this.checkNothingLeft();
      const output: unknown =
        this.workflow.output === undefined
          ? outcome.value
          : await validate(
              this.workflow.output,
              outcome.value,
              () => `workflow ${this.workflow.name} output`,
            );
      await this.commit([{ type: 'WorkflowCompleted', output: output ?? null }], {}, RunStatus.completed);
      return;
    }
    const error = outcome.error;
    if (error instanceof WorkflowParkedError) throw error;
    if (error instanceof NonDeterminismError) return this.park(errorRecord(error), 'RunParked');
    // The run failed: undo what it did, newest first, then record the failure.
    this.frozen = false;
    if (!(await this.runCompensations())) return;
    await this.commit([{ type: 'WorkflowFailed', error: errorRecord(error) }], {}, RunStatus.failed);
  }

  private async finishCancelled(reason: string): Promise<void> {
    this.frozen = false;
    if (!(await this.runCompensations())) return;
    await this.commit([{ type: 'WorkflowCancelled', reason }], {}, RunStatus.cancelled);
  }

  /** Runs every registered compensation, newest first; false when one had to suspend. */
  private async runCompensations(): Promise<boolean> {
    this.newPhase();
    for (const compensation of [...this.compensations].reverse()) {
      const done = await Promise.race([
        this.runStep(`c${compensation.seq}`, `compensate:${compensation.name}`, compensation.run, {
          ...(compensation.options.retry === undefined ? {} : { retry: compensation.options.retry }),
          ...(compensation.options.timeout === undefined ? {} : { timeout: compensation.options.timeout }),
          onExhausted: 'park',
        }).then(() => true),
        this.phase.then(() => false),
      ]);
      await this.settleInFlight();
      if (!done) return false;
    }
    return true;
  }

  /** A completed run must have asked for everything its journal holds, else the code changed under it. */
  private checkNothingLeft(): void {
    const used = this.counters.get('') ?? 0;
    if (this.lastMainSeq > used) {
      const entry = this.bySeq.get(String(used + 1))?.[0];
      throw new NonDeterminismError(
        this.runId,
        String(used + 1),
        entry === undefined ? 'more entries' : describe(entry),
        'nothing more (the workflow returned)',
      );
    }
  }

  // ---- late replies -----------------------------------------------------------------------------------------

  /**
   * Replies that came after their request had stopped waiting go to `onLateReply`, once each: the request timed
   * out, or the run ended (cancelled, failed) while it waited.
   */
  private async handleLateReplies(): Promise<void> {
    const timedOut = new Map<string, string>();
    const finished = isFinished(this.status);
    for (const [, entries] of this.bySeq) {
      const started = entries.find((e) => e.type === 'WaitStarted');
      const abandoned = finished && !entries.some((e) => e.type === 'WaitResolved');
      if (
        started?.type === 'WaitStarted' &&
        started.requestId !== null &&
        (abandoned || entries.some((e) => e.type === 'WaitTimedOut'))
      ) {
        timedOut.set(started.requestId, started.name.replace(/^reply:/, ''));
      }
    }
    const requestOf = (message: InboxMessage): string | undefined => {
      const requestId = (message.payload as { requestId?: unknown } | null)?.requestId;
      return typeof requestId === 'string' ? requestId : undefined;
    };
    // One late reply per request: a second copy of a reply (redelivered under a new id) is only recorded.
    const answered = new Set(
      this.inbox.flatMap((m) => (this.lateHandled.has(m.id) ? [requestOf(m) ?? ''] : [])),
    );
    for (const message of this.inbox) {
      if (this.consumed.has(message.id) || this.lateHandled.has(message.id)) continue;
      const requestId = requestOf(message);
      const request = requestId === undefined ? undefined : timedOut.get(requestId);
      if (request === undefined || requestId === undefined) continue;
      const handler = this.workflow.onLateReply;
      if (answered.has(requestId)) {
        this.host.logger.debug(
          { workflow: this.workflow.name, runId: this.runId, request, messageId: message.id },
          'another copy of a late reply already handled: only recorded',
        );
      } else if (handler === undefined) {
        this.host.logger.warn(
          { workflow: this.workflow.name, runId: this.runId, request, messageId: message.id },
          'a reply came after its request timed out and the workflow has no onLateReply: it is only recorded',
        );
      } else {
        const reply: LateReply = { request, message: toDelivered(message) };
        this.newPhase();
        const done = await Promise.race([
          handler(this.context(`${message.id}/`), reply, this.input).then(() => true),
          this.phase.then(() => false),
        ]);
        await this.settleInFlight();
        if (!done) return;
      }
      answered.add(requestId);
      this.lateHandled.add(message.id);
      await this.commit([{ type: 'LateReplyHandled', messageId: message.id }], {});
    }
  }

  // ---- the context ------------------------------------------------------------------------------------------

  private context(space: string): WorkflowContext {
    const next = () => this.nextSeq(space);
    const journaled = (): number => {
      let last = 0;
      for (const seq of this.bySeq.keys()) {
        const n = seq.startsWith(space) ? Number(seq.slice(space.length)) : NaN;
        if (Number.isInteger(n)) last = Math.max(last, n);
      }
      return last;
    };
    const counters = this.counters;
    return {
      runId: this.runId,
      get replaying() {
        return (counters.get(space) ?? 0) < journaled();
      },
      step: (name, fn, options) => this.step(next(), name, fn, options ?? {}),
      sleep: (ms) => this.sleepUntil(next(), 'sleep', () => this.host.clock.now() + ms),
      sleepUntil: (at) => this.sleepUntil(next(), 'sleep', () => Number(at)),
      now: () => this.value(next(), 'now', () => this.host.clock.now()),
      random: () => this.value(next(), 'random', () => this.host.clock.random()),
      uuid: () => this.value(next(), 'uuid', () => randomUuid(this.host.clock)),
      publish: async (topic, message) => {
        await this.publish(next(), 'publish', topic, message, {});
      },
      request: (name, topic, command, options) => this.request(next, name, topic, command, options),
      waitFor: (name, topic, options) => this.waitFor(next(), name, topic.name, options ?? {}, null),
      race: (name, branches) => this.race(next(), name, branches) as never,
      patched: (id) => Promise.resolve(this.patched(space, id)),
    };
  }

  private nextSeq(space: string): string {
    const n = (this.counters.get(space) ?? 0) + 1;
    this.counters.set(space, n);
    return `${space}${n}`;
  }

  /** Waits for step attempts and commits under way; ops that halted never settle and are not waited for. */
  private async settleInFlight(): Promise<void> {
    while (this.working.size > 0) await Promise.allSettled([...this.working]);
    await this.chain;
  }

  /** The journal's entries for `seq`, checked against what the code asks for. */
  private recorded(seq: string, kind: OpKind, name: string): JournalEntry[] {
    const entries = this.bySeq.get(seq) ?? [];
    const first = entries[0];
    if (first !== undefined && (KIND_OF[first.type] !== kind || nameOf(first) !== name)) {
      throw new NonDeterminismError(this.runId, seq, describe(first), `${kind} ${name}`);
    }
    return entries;
  }

  /** Stops this activation here: the run waits for a timer, a message or an operator. */
  private halt(): Promise<never> {
    this.halted = true;
    this.haltResolve?.();
    return new Promise<never>(() => {});
  }

  /** Counts `work` as under way until it settles. */
  private working_<T>(work: Promise<T>): Promise<T> {
    this.working.add(work);
    const done = () => this.working.delete(work);
    work.then(done, done);
    return work;
  }

  // ---- steps ------------------------------------------------------------------------------------------------

  private async step<T>(
    seq: string,
    name: string,
    fn: (info: StepInfo) => Promise<T>,
    options: StepOptions<T>,
  ): Promise<T> {
    const entries = this.recorded(seq, 'step', name);
    const threw = entries.find((e) => e.type === 'StepThrew');
    if (threw?.type === 'StepThrew') {
      const exhausted = options.onExhausted;
      if (typeof exhausted === 'object' && 'failover' in exhausted) {
        return this.step(this.nextSeq(spaceOf(seq)), `${name}:failover`, exhausted.failover, {
          ...(options.retry === undefined ? {} : { retry: options.retry }),
          ...(options.compensate === undefined ? {} : { compensate: options.compensate }),
        });
      }
      throw new StepFailedError(name, threw.error);
    }
    const result = await this.runStep(seq, name, fn, options);
    if (options.compensate !== undefined) {
      const compensate = options.compensate;
      this.compensations.push({
        seq,
        name,
        run: (info) => compensate(result, info),
        options: options as StepOptions<unknown>,
      });
    }
    return result;
  }

  /** A step's result: from the journal, or by running it with its retry policy. */
  private async runStep<T>(
    seq: string,
    name: string,
    fn: (info: StepInfo) => Promise<T>,
    options: StepOptions<T>,
  ): Promise<T> {
    const entries = this.recorded(seq, 'step', name);
    const completed = entries.find((e) => e.type === 'StepCompleted');
    if (completed?.type === 'StepCompleted') return completed.result as T;
    const threw = entries.find((e) => e.type === 'StepThrew');
    if (threw?.type === 'StepThrew') throw new StepFailedError(name, threw.error);
    if (this.frozen || this.halted) return this.halt();

    // Attempts since the step last resumed (an operator's redrive starts a fresh cycle).
    let cycle = entries;
    const last = entries.at(-1);
    if (last?.type === 'StepParked') {
      this.pending.push(this.event({ type: 'StepResumed', seq }));
      cycle = [];
    } else {
      const resumedAt = entries.map((e) => e.type).lastIndexOf('StepResumed');
      if (resumedAt >= 0) cycle = entries.slice(resumedAt + 1);
    }
    const failures = cycle.filter((e) => e.type === 'StepFailed');
    const lastFailure = failures.at(-1);
    const now = this.host.clock.now();
    if (
      lastFailure?.type === 'StepFailed' &&
      lastFailure.retryAt !== null &&
      lastFailure.retryAt > now &&
      this.retryNowAt < (this.order.get(lastFailure) ?? 0)
    ) {
      return this.halt();
    }
    const policy = resolveRetryPolicy(options.retry, `step ${name}`);
    let attempts = failures.length;
    let delayedRetriesDone = failures.filter((e) => e.type === 'StepFailed' && e.retryAt !== null).length;
    const first = failures[0];
    const firstFailedAt = (first === undefined ? undefined : this.times.get(first)) ?? now;
    for (let attemptInDelivery = 1; ; attemptInDelivery++) {
      const attempt = attempts + 1;
      // What the run decided on its way here (a wait's outcome, a failed attempt) is journaled before the step's
      // effect happens: an activation that loses the run to another one then fails here, before acting on a
      // decision the run never made.
      if (this.pending.length > 0) await this.flush();
      let error: Error;
      try {
        const result = await this.working_(
          this.attempt(seq, name, fn, attempt, options.timeout).then(async (value) => {
            await this.commit([{ type: 'StepCompleted', seq, name, result: value ?? null }], {});
            return value;
          }),
        );
        return result;
      } catch (thrown) {
        error = ensureError(thrown);
      }
      attempts = attempt;
      const at = this.host.clock.now();
      const decision = decideFailure(
        classifyError(error),
        policy,
        {
          attempts,
          attemptInDelivery,
          delayedRetriesDone,
          firstFailedAt,
          now: at,
        },
        () => this.host.clock.random(),
      );
      const record = errorRecord(error);
      if (decision.kind === 'retry-now') {
        this.pending.push(
          this.event({ type: 'StepFailed', seq, name, attempt, error: record, retryAt: null }),
        );
        await this.host.clock.sleep(decision.delay);
        continue;
      }
      if (decision.kind === 'retry-at') {
        const retryAt = decision.at;
        delayedRetriesDone++;
        await this.commit([{ type: 'StepFailed', seq, name, attempt, error: record, retryAt }], {
          timers: [this.wake(retryAt, `retry ${seq}`)],
        });
        return this.halt();
      }
      this.pending.push(this.event({ type: 'StepFailed', seq, name, attempt, error: record, retryAt: null }));
      const exhausted = options.onExhausted ?? 'park';
      // A domain error is the step's outcome: it throws into the workflow, whatever the exhaustion policy.
      const domain = decision.kind === 'domain';
      if (exhausted === 'park' && !domain) {
        await this.park(record, 'StepParked', seq, name);
        return this.halt();
      }
      if (typeof exhausted === 'object' && 'escalate' in exhausted && !domain) {
        const outgoing = await this.escalation(seq, exhausted, record);
        await this.commit(
          [
            {
              type: 'StepThrew',
              seq,
              name,
              error: record,
              escalated: { topic: outgoing.topic, messageId: outgoing.id },
            },
          ],
          { outgoing: [outgoing] },
        );
        throw new StepFailedError(name, record);
      }
      await this.commit([{ type: 'StepThrew', seq, name, error: record }], {});
      throw new StepFailedError(name, record);
    }
  }

  /** The domain event a step's `escalate` publishes, with an id derived from the step so it is sent once. */
  private async escalation(seq: string, how: StepEscalation, error: ErrorRecord): Promise<OutgoingMessage> {
    const { topic, message } = how.escalate;
    await this.host.ensureTopic(topic);
    return prepareOutgoing(topic, message(error), {
      id: deriveMessageId(this.runId, `${this.workflow.name}/${seq}/escalate`, 0),
      headers: compactHeaders({
        correlationId: runCorrelationId(this.workflow.name, this.runId),
        causationId: this.runId,
      }),
      now: this.host.clock.now(),
    });
  }

  private async attempt<T>(
    seq: string,
    name: string,
    fn: (info: StepInfo) => Promise<T>,
    attempt: number,
    timeout: number | undefined,
  ): Promise<T> {
    const abort = new AbortController();
    const info: StepInfo = {
      idempotencyKey: `${this.workflow.name}/${this.runId}/${seq}`,
      attempt,
      signal: abort.signal,
    };
    // A broken or dropped activation starts no step: its effects could not be journaled.
    if (this.abandoned()) return this.halt();
    if (timeout === undefined) return fn(info);
    let cancel: (() => void) | undefined;
    try {
      return await Promise.race([
        fn(info),
        new Promise<never>((_, reject) => {
          cancel = this.host.clock.after(timeout, () => {
            const error = new WorkflowTimeoutError(`step ${name}`, timeout);
            abort.abort(error);
            reject(error);
          });
        }),
      ]);
    } finally {
      cancel?.();
    }
  }

  /** Records that the run parked and throws it out of the activation, so operators see it. */
  private async park(
    error: ErrorRecord,
    type: 'StepParked' | 'RunParked',
    seq?: string,
    name?: string,
  ): Promise<never> {
    const entry: JournalEntry =
      type === 'StepParked' ? { type, seq: seq!, name: name!, error } : { type: 'RunParked', error };
    if (type === 'RunParked') this.pending = [];
    await this.commit([entry], {}, RunStatus.parked, error);
    throw new WorkflowParkedError(this.workflow.name, this.runId, error);
  }

  // ---- time, values, messages ----------------------------------------------------------------------------------

  private async sleepUntil(seq: string, name: string, due: () => number): Promise<void> {
    const entries = this.recorded(seq, 'timer', name);
    if (entries.some((e) => e.type === 'TimerFired')) return;
    const started = entries.find((e) => e.type === 'TimerStarted');
    if (started?.type === 'TimerStarted') {
      if (this.frozen) return this.halt();
      if (this.host.clock.now() < started.dueAt) return this.halt();
      this.pending.push(this.event({ type: 'TimerFired', seq }));
      return;
    }
    if (this.frozen || this.halted) return this.halt();
    const dueAt = due();
    await this.commit([{ type: 'TimerStarted', seq, name, dueAt }], {
      timers: [this.wake(dueAt, `timer ${seq}`)],
    });
    if (this.host.clock.now() < dueAt) return this.halt();
    this.pending.push(this.event({ type: 'TimerFired', seq }));
  }

  private async value<T>(seq: string, name: string, make: () => T): Promise<T> {
    const recorded = this.recorded(seq, 'value', name)[0];
    if (recorded?.type === 'ValueRecorded') return recorded.value as T;
    if (this.frozen) return this.halt();
    const value = make();
    this.pending.push(this.event({ type: 'ValueRecorded', seq, name, value }));
    return value;
  }

  private patched(space: string, id: string): boolean {
    const known = this.patches.get(id);
    if (known !== undefined) return known;
    // Runs that had gone past this point under the old code have journal entries beyond it.
    const here = this.counters.get(space) ?? 0;
    const value = !(space === '' && this.lastMainSeq > here);
    this.patches.set(id, value);
    this.pending.push(this.event({ type: 'PatchMarked', id, value }));
    return value;
  }

  private async publish<M extends SchemaMap>(
    seq: string,
    name: string,
    topic: TopicDefinition<M>,
    message: PublishInput<M>,
    headers: MessageHeaders,
  ): Promise<string> {
    const recorded = this.recorded(seq, 'publish', name)[0];
    if (recorded?.type === 'MessagePublished') return recorded.messageId;
    if (this.frozen || this.halted) return this.halt();
    await this.host.ensureTopic(topic);
    const id = deriveMessageId(this.runId, `${this.workflow.name}/${seq}`, 0);
    const outgoing = await prepareOutgoing(topic, message, {
      id,
      headers: compactHeaders({
        correlationId: runCorrelationId(this.workflow.name, this.runId),
        causationId: this.runId,
        ...headers,
      }),
      now: this.host.clock.now(),
    });
    await this.commit([{ type: 'MessagePublished', seq, name, topic: topic.name, messageId: outgoing.id }], {
      outgoing: [outgoing],
    });
    return outgoing.id;
  }

  private async request<M extends SchemaMap>(
    next: () => string,
    name: string,
    topic: TopicDefinition<M>,
    command: PublishInput<M>,
    options: { replyTo: TopicDefinition; timeout?: number },
  ): Promise<RequestReply> {
    if (!this.workflow.inbox.some((route) => route.topic.name === options.replyTo.name)) {
      throw new TypeError(
        `workflow ${this.workflow.name}: ctx.request replies to ${options.replyTo.name}, which is not one of its replies or inbox topics`,
      );
    }
    const requestId = await this.publish(next(), `request:${name}`, topic, command, {
      replyTo: options.replyTo.name,
    });
    const message = await this.waitFor(
      next(),
      `reply:${name}`,
      options.replyTo.name,
      {
        match: (m) => (m.payload as { requestId?: unknown } | null)?.requestId === requestId,
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      },
      requestId,
    );
    const payload = (message.payload ?? {}) as {
      result?: unknown;
      rejection?: { code: string; message: string; details?: Record<string, unknown> };
    };
    return message.type === 'CommandRejected' && payload.rejection !== undefined
      ? { status: 'rejected', rejection: payload.rejection, message }
      : { status: 'accepted', result: payload.result ?? null, message };
  }

  private async waitFor(
    seq: string,
    name: string,
    topic: string,
    options: WaitOptions,
    requestId: string | null,
  ): Promise<Delivered> {
    const entries = this.recorded(seq, 'wait', name);
    const resolved = entries.find((e) => e.type === 'WaitResolved');
    if (resolved?.type === 'WaitResolved') {
      const message = this.inbox.find((m) => m.id === resolved.messageId);
      if (message !== undefined) return toDelivered(message);
    }
    if (entries.some((e) => e.type === 'WaitTimedOut'))
      throw new WorkflowTimeoutError(name, options.timeout ?? null);
    if (this.frozen) return this.halt();
    const started = entries.find((e) => e.type === 'WaitStarted');
    let dueAt: number | null;
    if (started?.type === 'WaitStarted') {
      dueAt = started.dueAt;
    } else {
      if (this.halted) return this.halt();
      dueAt = options.timeout === undefined ? null : this.host.clock.now() + options.timeout;
      this.pending.push(this.event({ type: 'WaitStarted', seq, name, topic, dueAt, requestId }));
    }
    const match = this.inbox.find(
      (m) => m.source === topic && !this.consumed.has(m.id) && (options.match?.(toDelivered(m)) ?? true),
    );
    if (match !== undefined) {
      this.consumed.add(match.id);
      this.pending.push(this.event({ type: 'WaitResolved', seq, messageId: match.id }));
      return toDelivered(match);
    }
    if (dueAt !== null && this.host.clock.now() >= dueAt) {
      this.pending.push(this.event({ type: 'WaitTimedOut', seq }));
      throw new WorkflowTimeoutError(name, options.timeout ?? null);
    }
    await this.commit(
      [],
      dueAt === null || started !== undefined ? {} : { timers: [this.wake(dueAt, `wait ${seq}`)] },
    );
    return this.halt();
  }

  /**
   * The first branch to happen wins: a wait's message at the time it was journaled (but not before the race
   * began), a timer at its due time; ties go to the branch declared first. The decision is journaled, so a replay
   * returns it whatever has arrived since.
   */
  private async race(
    seq: string,
    name: string,
    branches: Record<string, RaceBranch>,
  ): Promise<{ winner: string; message?: Delivered }> {
    const entries = this.recorded(seq, 'race', name);
    const decided = entries.find((e) => e.type === 'RaceDecided');
    if (decided?.type === 'RaceDecided') {
      const message = this.inbox.find((m) => m.id === decided.messageId);
      return message === undefined
        ? { winner: decided.winner }
        : { winner: decided.winner, message: toDelivered(message) };
    }
    if (this.frozen) return this.halt();
    const started = entries.find((e) => e.type === 'RaceStarted');
    let plan: ReadonlyArray<RaceBranchEntry>;
    let startedAt: number;
    if (started?.type === 'RaceStarted') {
      plan = started.branches;
      startedAt = this.times.get(started) ?? 0;
    } else {
      if (this.halted) return this.halt();
      startedAt = this.host.clock.now();
      plan = raceBranches(this.workflow, name, branches, startedAt);
      this.pending.push(this.event({ type: 'RaceStarted', seq, name, branches: plan }));
    }
    const best = decideRace(plan, branches, {
      startedAt,
      now: this.host.clock.now(),
      inbox: this.inbox.filter((m) => !this.consumed.has(m.id)),
      receivedAt: this.receivedAt,
    });
    if (best !== undefined) {
      if (best.messageId !== null) this.consumed.add(best.messageId);
      this.pending.push(
        this.event({ type: 'RaceDecided', seq, winner: best.key, messageId: best.messageId }),
      );
      const message = this.inbox.find((m) => m.id === best.messageId);
      return message === undefined
        ? { winner: best.key }
        : { winner: best.key, message: toDelivered(message) };
    }
    const dueAts = plan.flatMap((b) => (b.dueAt === null ? [] : [b.dueAt]));
    await this.commit(
      [],
      started !== undefined || dueAts.length === 0
        ? {}
        : { timers: [this.wake(Math.min(...dueAts), `race ${seq}`)] },
    );
    return this.halt();
  }

  // ---- writing ----------------------------------------------------------------------------------------------

  private event(entry: JournalEntry): NewEvent {
    const now = this.host.clock.now();
    return {
      id: newMessageId(now),
      type: entry.type,
      data: entryData(entry),
      metadata: { correlationId: runCorrelationId(this.workflow.name, this.runId) },
      occurredAt: isoTime(now),
    };
  }

  /** A wake-up of this run at `dueAt`, as a durable timer. */
  private wake(dueAt: number, reason: string): TimerRecord {
    const message = wakeMessage(
      { service: this.host.service, workflow: this.workflow.name, runId: this.runId },
      `${reason} ${this.version}`,
      dueAt,
    );
    return { id: message.id, dueAt, message };
  }

  /** Commits what is pending; a run that only replayed writes nothing. */
  private flush(): Promise<void> {
    return this.pending.length === 0 ? this.chain : this.commit([], {});
  }

  /**
   * Appends `entries` (after what is pending) to the run's stream, with `extra` effects, in one transaction that
   * expects the stream's version: a concurrent activation makes it fail with a conflict, writing nothing.
   */
  private commit(
    entries: ReadonlyArray<JournalEntry>,
    extra: { outgoing?: ReadonlyArray<OutgoingMessage>; timers?: ReadonlyArray<TimerRecord> },
    status: RunStatus = this.status,
    error?: ErrorRecord,
  ): Promise<void> {
    if (this.abandoned()) return this.halt();
    const work = this.chain.then(async () => {
      const events = [...this.pending, ...entries.map((entry) => this.event(entry))];
      this.pending = [];
      if (events.length === 0 && extra.outgoing === undefined && extra.timers === undefined) return;
      const now = this.host.clock.now();
      const timers = extra.timers ?? [];
      await this.host.store.commit({
        ...emptyChange,
        appends:
          events.length === 0
            ? []
            : [
                {
                  entity: journalStream(this.workflow.name),
                  entityId: this.runId,
                  expectedVersion: this.version,
                  unordered: true,
                  events,
                },
              ],
        outgoing: extra.outgoing ?? [],
        timers,
        documents: [
          {
            model: RUNS_MODEL,
            id: `${this.workflow.name}/${this.runId}`,
            doc: runDocument({
              service: this.host.service,
              workflow: this.workflow.name,
              runId: this.runId,
              status,
              startedAt: this.startedAt ?? isoTime(now),
              updatedAt: isoTime(now),
              step: (this.lastStep = lastStepName(events) ?? this.lastStep),
              error,
            }),
          },
        ],
      });
      this.version += events.length;
      this.status = status;
      this.host.committed({ timers, outgoing: extra.outgoing ?? [] }, this.runId);
    });
    this.chain = work.catch(() => {});
    return work.catch((error: unknown) => {
      // A failed commit fails this activation (see `broken`); the next one starts again from the journal.
      this.broken ??= ensureError(error);
      this.breakOff(this.broken);
      return this.halt();
    });
  }
}

function spaceOf(seq: string): string {
  return seq.replace(/\d+$/, '');
}

function nameOf(entry: JournalEntry): string | undefined {
  return 'name' in entry ? entry.name : undefined;
}

function describe(entry: JournalEntry): string {
  const kind = KIND_OF[entry.type] ?? entry.type;
  return `${kind} ${nameOf(entry) ?? ''}`.trim();
}

function lastStepName(events: ReadonlyArray<NewEvent>): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const name = (events[i]?.data as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string') return name;
  }
  return null;
}
