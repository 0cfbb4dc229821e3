import { asTraceLink } from '../telemetry/messagingSpans.ts';
import { isJournalEntity } from '../workflow/Journal.ts';
import type { Delivered, MessageHeaders } from '../envelope/Envelope.ts';
import { headersCausedBy } from '../envelope/headers.ts';
import type { CommandOutcome } from '../entity/CommandOutcome.ts';
import { decideCommand } from '../entity/decideCommand.ts';
import { decideOnStored } from '../entity/decideOnStored.ts';
import type { AnyEntity, CommandInput, EntityDefinition } from '../entity/defineEntity.ts';
import type { Snapshot } from '../entity/EntityCache.ts';
import { validateCommand } from '../entity/validateCommand.ts';
import { replayOutcome } from '../entity/replayOutcome.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import { deriveMessageId } from '../ids/MessageId.ts';
import type { Logger } from '../logging/Logger.ts';
import type { CommandRecord, DocumentWrite, StoredOutcome, StreamAppend } from '../ports/Change.ts';
import type { OutgoingMessage } from '../ports/OutgoingMessage.ts';
import type { TimerRecord } from '../ports/TimerRecord.ts';
import { buildReply, type ReplyOutcome } from '../reply/buildReply.ts';
import { dueTime, type ScheduleOptions } from '../timer/ScheduleOptions.ts';
import type { ReadModelDefinition } from '../readmodel/defineReadModel.ts';
import { validate, type SchemaMap } from '../schema/validate.ts';
import { outgoingForEvents } from '../service/outgoingForEvents.ts';
import type { ServiceInternals } from '../service/ServiceInternals.ts';
import type { PublishInput, TopicDefinition } from '../topic/defineTopic.ts';
import { prepareOutgoing } from '../topic/prepareOutgoing.ts';
import type { WorkflowDefinition } from '../workflow/defineWorkflow.ts';
import type { ExecuteOptions, HandlerContext, ReadModelAccess } from './HandlerContext.ts';
import { DeadlockError, type ResourceLocks } from './ResourceLocks.ts';
import type { SignalFanout } from '../concurrency/SignalFanout.ts';

/** What a unit of work needs from its consumer. */
export interface UnitEnvironment {
  readonly consumer: string;
  readonly internals: ServiceInternals;
  readonly locks: ResourceLocks;
  readonly logger: Logger;
  /** Where the unit's abort signal comes from (made only if the handler asks for it). */
  readonly signals: SignalFanout;
  /** Lanes of one group (a consumer) may build on each other's uncommitted values. */
  readonly group: string;
  /** False once the consumer rewound or stopped: the unit's effects will never commit. */
  isCurrent(): boolean;
}

/** Everything a handled message writes, committed with the consumer's checkpoint. */
export interface UnitEffects {
  readonly appends: ReadonlyArray<StreamAppend>;
  readonly commands: ReadonlyArray<CommandRecord>;
  readonly outgoing: ReadonlyArray<OutgoingMessage>;
  readonly documents: ReadonlyArray<DocumentWrite>;
  readonly timers: ReadonlyArray<TimerRecord>;
}

/**
 * What a sealed unit leaves for its commit to settle: which resources it holds and the stream states it wrote —
 * not the message, its payload or the handler's context, which thousands of units waiting for one commit would
 * otherwise keep alive.
 */
export interface UnitFootprint {
  readonly id: number;
  readonly touched: ReadonlySet<string>;
  readonly snapshots: ReadonlyMap<string, { entity: string; entityId: string; snapshot: Snapshot }>;
}

/** The one empty list of effects, so that units waiting for a commit keep none of their own. */
const NONE: readonly never[] = Object.freeze([]);

export const streamResource = (entity: string, entityId: string): string =>
  `s\u0000${entity}\u0000${entityId}`;
const documentResource = (model: string, id: string): string => `d\u0000${model}\u0000${id}`;
const commandResource = (commandId: string): string => `c\u0000${commandId}`;

/**
 * The handler context for one message, recording its effects. Reads go through the consumer's resource locks
 * so that lanes never see each other's uncommitted writes and a lane always sees its own.
 */
export class UnitOfWork implements HandlerContext {
  readonly consumer: string;
  readonly logger: Logger;
  readonly idempotencyKey: string;
  /** Resources this unit acquired. */
  readonly touched = new Set<string>();
  /** Resources that took a committed value from this unit, with that value (streams only). */
  readonly snapshots = new Map<string, { entity: string; entityId: string; snapshot: Snapshot }>();
  private readonly appends: StreamAppend[] = [];
  private readonly commands: CommandRecord[] = [];
  private readonly documents: DocumentWrite[] = [];
  private readonly outgoing: Array<Promise<OutgoingMessage[]>> = [];
  private readonly timers: Array<Promise<TimerRecord>> = [];
  private readonly calls: Array<Promise<unknown>> = [];
  private sequence = 0;
  private sealed = false;
  private child: { signal: AbortSignal; release(): void } | undefined;
  private released = false;
  /** Set when a wait would have deadlocked, even if the handler swallowed the error. */
  deadlocked = false;

  constructor(
    readonly id: number,
    readonly lane: string,
    readonly message: Delivered,
    private readonly env: UnitEnvironment,
  ) {
    this.consumer = env.consumer;
    this.logger = env.logger;
    this.idempotencyKey = message.id;
  }

  /** Aborts when the consumer gives up on running handlers (shutdown timeout). Made on first use. */
  get signal(): AbortSignal {
    if (this.child === undefined) {
      this.child = this.env.signals.child();
      if (this.released) this.child.release();
    }
    return this.child.signal;
  }

  execute<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
    entity: EntityDefinition<S, C, E, R>,
    entityId: string,
    input: CommandInput<C>,
    options: ExecuteOptions = {},
  ): Promise<CommandOutcome<E, R>> {
    return this.track(this.executeNow(entity, entityId, input, options));
  }

  private async executeNow<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
    entity: EntityDefinition<S, C, E, R>,
    entityId: string,
    input: CommandInput<C>,
    options: ExecuteOptions,
  ): Promise<CommandOutcome<E, R>> {
    this.assertOpen();
    const anyEntity = entity as unknown as AnyEntity;
    const publications = this.env.internals.publicationsOf(anyEntity);
    const validated = validateCommand(anyEntity, input);
    const command = validated instanceof Promise ? await validated : validated;
    const explicitId = options.commandId;
    const commandId =
      explicitId ?? deriveMessageId(this.message.id, `${this.consumer}/command`, this.sequence++);

    if (explicitId !== undefined) {
      const key = commandResource(explicitId);
      await this.acquire(key);
      const pending = this.env.locks.top(key);
      if (pending !== undefined)
        return replayOutcome(pending.value as StoredOutcome, entityId, explicitId) as CommandOutcome<E, R>;
      const recorded = await this.env.internals.store.findCommand(explicitId);
      this.assertOpen();
      if (recorded !== undefined)
        return replayOutcome(recorded.outcome, recorded.entityId, explicitId) as CommandOutcome<E, R>;
    }

    const key = streamResource(entity.name, entityId);
    const acquiring = this.acquire(key);
    if (acquiring !== undefined) await acquiring;
    const layered = this.env.locks.top(key);
    let cached: Snapshot;
    if (layered !== undefined) cached = layered.value as Snapshot;
    else {
      const loaded = this.env.internals.loadSnapshot(anyEntity, entityId);
      cached = loaded instanceof Promise ? await loaded : loaded;
    }
    this.assertOpen();
    const now = this.env.internals.clock.now();
    const metadata: MessageHeaders = headersCausedBy(this.message, { ...options.headers, commandId });
    const decideInput = {
      entityId,
      commandId,
      now,
      metadata,
      eventId: (index: number) => deriveMessageId(commandId, `${entity.name}/${entityId}`, index),
    };
    // A snapshot layered by this unit's own earlier commands is not stale: only cached ones are checked.
    let onStored =
      layered !== undefined
        ? { before: cached, decided: decideCommand(anyEntity, cached, command, decideInput) }
        : decideOnStored(anyEntity, cached, command, decideInput, () =>
            this.env.internals.loadSnapshot(anyEntity, entityId, { fresh: true }),
          );
    if (onStored instanceof Promise) onStored = await onStored;
    const { before, decided } = onStored;
    this.assertOpen();

    if (decided.status === 'rejected') {
      if (explicitId !== undefined)
        this.record(explicitId, anyEntity, entityId, { status: 'rejected', ...decided.rejection });
      return {
        status: 'rejected',
        entityId,
        commandId,
        rejection: decided.rejection,
        duplicate: false,
      } as CommandOutcome<E, R>;
    }
    if (decided.events.length > 0) {
      this.appends.push({
        entity: entity.name,
        entityId,
        expectedVersion: before.version,
        events: decided.events,
        ...(isJournalEntity(entity) ? { unordered: true as const } : {}),
      });
      this.env.locks.push(key, this.id, decided.after);
      this.snapshots.set(key, { entity: entity.name, entityId, snapshot: decided.after });
      this.outgoing.push(outgoingForEvents(publications, entityId, before.version + 1, decided.events, now));
    }
    if (explicitId !== undefined) {
      this.record(explicitId, anyEntity, entityId, {
        status: 'accepted',
        version: decided.after.version,
        eventIds: decided.events.map((e) => e.id),
      });
    }
    return {
      status: 'accepted',
      entityId,
      commandId,
      version: decided.after.version,
      events: decided.domainEvents,
      duplicate: false,
    } as unknown as CommandOutcome<E, R>;
  }

  publish<M extends SchemaMap>(topic: TopicDefinition<M>, input: PublishInput<M>): Promise<void> {
    return this.track(this.publishNow(topic, input));
  }

  private async publishNow<M extends SchemaMap>(
    topic: TopicDefinition<M>,
    input: PublishInput<M>,
  ): Promise<void> {
    this.assertOpen();
    const ensured = this.env.internals.ensureTopic(topic);
    const prepared = prepareOutgoing(topic, input, {
      id: deriveMessageId(this.message.id, `${this.consumer}/publish`, this.sequence++),
      headers: headersCausedBy(this.message),
      now: this.env.internals.clock.now(),
    });
    const slot = Promise.all([ensured, prepared]).then(([, message]) => [message]);
    this.outgoing.push(slot);
    await slot;
  }

  startWorkflow<I>(workflow: WorkflowDefinition<I, unknown>, runId: string, input: I): Promise<void> {
    const runtime = this.env.internals.workflowRuntime();
    if (runtime === undefined) {
      return Promise.reject(
        new ParleyError(
          'UNKNOWN_WORKFLOW',
          `workflow ${workflow.name} is not registered with service ${this.env.internals.name}: call service.workflow(${workflow.name}) first`,
        ),
      );
    }
    return this.track(runtime.startIn(this, workflow, runId, input));
  }

  readModel<D>(model: ReadModelDefinition<D>): ReadModelAccess<D> {
    const access: ReadModelAccess<D> = {
      get: async (id) => {
        this.assertOpen();
        const key = documentResource(model.name, id);
        await this.acquire(key);
        const layered = this.env.locks.top(key);
        if (layered !== undefined) return (layered.value ?? undefined) as D | undefined;
        const doc = await this.env.internals.store.getDocument(model.name, id);
        return (doc ?? undefined) as D | undefined;
      },
      set: async (id, doc) => {
        this.assertOpen();
        const key = documentResource(model.name, id);
        await this.acquire(key);
        const value =
          model.schema === undefined
            ? doc
            : await validate(model.schema, doc, `read model ${model.name} document ${id}`);
        this.assertOpen();
        this.documents.push({ model: model.name, id, doc: value });
        this.env.locks.push(key, this.id, value);
      },
      delete: async (id) => {
        this.assertOpen();
        const key = documentResource(model.name, id);
        await this.acquire(key);
        this.documents.push({ model: model.name, id, doc: null });
        this.env.locks.push(key, this.id, null);
      },
    };
    return {
      get: (id) => this.track(access.get(id)),
      set: (id, doc) => this.track(access.set(id, doc)),
      delete: (id) => this.track(access.delete(id)),
    };
  }

  reply(outcome: ReplyOutcome): Promise<void> {
    return this.track(this.replyNow(outcome));
  }

  private async replyNow(outcome: ReplyOutcome): Promise<void> {
    this.assertOpen();
    const replyTo = this.message.headers.replyTo;
    if (replyTo === undefined) return;
    const slot = this.env.internals
      .topicSpec(replyTo)
      .then((spec) => [
        buildReply(this.message, outcome, spec, this.consumer, this.env.internals.clock.now()),
      ]);
    this.outgoing.push(slot);
    await slot;
  }

  schedule<M extends SchemaMap>(
    topic: TopicDefinition<M>,
    input: PublishInput<M>,
    when: ScheduleOptions,
  ): Promise<void> {
    return this.track(this.scheduleNow(topic, input, when));
  }

  private async scheduleNow<M extends SchemaMap>(
    topic: TopicDefinition<M>,
    input: PublishInput<M>,
    when: ScheduleOptions,
  ): Promise<void> {
    this.assertOpen();
    const now = this.env.internals.clock.now();
    const dueAt = dueTime(when, now);
    const id = deriveMessageId(this.message.id, `${this.consumer}/schedule`, this.sequence++);
    const ensured = this.env.internals.ensureTopic(topic);
    const prepared = prepareOutgoing(topic, input, {
      id,
      headers: headersCausedBy(this.message),
      now: dueAt,
    });
    // Handled later, in a trace of its own linked to this one.
    const slot = Promise.all([ensured, prepared]).then(([, message]) => ({
      id,
      dueAt,
      message: { ...message, headers: asTraceLink(message.headers) },
    }));
    this.timers.push(slot);
    await slot;
  }

  /**
   * Ends the handler's part: waits for every context call the handler made (awaited or not) and returns the
   * effects; the first failed call fails the unit. Called once.
   */
  async seal(): Promise<UnitEffects> {
    // Most handlers make one or two calls and publish nothing: skip the empty waits.
    if (this.calls.length === 1) await this.calls[0];
    else if (this.calls.length > 1) await Promise.all(this.calls);
    this.sealed = true;
    this.releaseSignal();
    const outgoing = this.outgoing.length === 0 ? NONE : (await Promise.all(this.outgoing)).flat();
    const timers = this.timers.length === 0 ? NONE : await Promise.all(this.timers);
    // The unit waits for its commit now, with thousands of others: it keeps only what the commit needs, not the
    // settled calls and their results.
    this.calls.length = 0;
    this.outgoing.length = 0;
    this.timers.length = 0;
    return {
      appends: this.appends,
      commands: this.commands.length === 0 ? NONE : this.commands,
      outgoing,
      documents: this.documents.length === 0 ? NONE : this.documents,
      timers,
    };
  }

  /** What the unit's commit needs of it (see {@link UnitFootprint}). */
  footprint(): UnitFootprint {
    return { id: this.id, touched: this.touched, snapshots: this.snapshots };
  }

  /** Releases the unit's signal; for a unit whose handler failed (a sealed unit is already closed). */
  close(): void {
    this.releaseSignal();
  }

  private releaseSignal(): void {
    this.released = true;
    this.child?.release();
  }

  /**
   * Remembers a context call so `seal` waits for it and fails with it; a call the handler forgot to await can
   * then never become an unhandled rejection that would take the process down.
   */
  private track<T>(call: Promise<T>): Promise<T> {
    call.catch(() => {});
    this.calls.push(call);
    return call;
  }

  private record(commandId: string, entity: AnyEntity, entityId: string, outcome: StoredOutcome): void {
    this.commands.push({ commandId, entity: entity.name, entityId, outcome });
    this.env.locks.push(commandResource(commandId), this.id, outcome);
  }

  /** Takes a resource for this unit: at once when it is free (no promise made), else after waiting for it. */
  private acquire(key: string): Promise<void> | undefined {
    this.touched.add(key);
    const { locks, group } = this.env;
    if (locks.tryAcquire(key, this.lane, this.id, group)) {
      this.assertOpen();
      return undefined;
    }
    return this.acquireWaiting(key);
  }

  private async acquireWaiting(key: string): Promise<void> {
    try {
      await this.env.locks.acquire(key, this.lane, this.id, this.env.group);
    } catch (error) {
      if (error instanceof DeadlockError) this.deadlocked = true;
      throw error;
    }
    this.assertOpen();
  }

  private assertOpen(): void {
    if (this.sealed)
      throw new ParleyError('UNIT_CLOSED', 'the handler already returned: await every context call');
    if (!this.env.isCurrent())
      throw new ParleyError('UNIT_ABANDONED', 'the consumer rewound or stopped; this work is dropped');
  }
}
