import { recordSent } from '../telemetry/messagingMetrics.ts';
import { asTraceLink, sendSpan } from '../telemetry/messagingSpans.ts';
import { isJournalEntity, JOURNAL_PREFIX } from '../workflow/Journal.ts';
import { systemClock, type Clock } from '../clock/Clock.ts';
import { consumerSource } from '../consumer/ConsumerSource.ts';
import { ConsumerRuntime } from '../consumer/ConsumerRuntime.ts';
import {
  normaliseConsumer,
  type ConsumerOptions,
  type ConsumerSourceDefinition,
} from '../consumer/defineConsumer.ts';
import type { MessageHeaders } from '../envelope/Envelope.ts';
import { compactHeaders } from '../envelope/headers.ts';
import type { CommandOutcome } from '../entity/CommandOutcome.ts';
import { foldEvents } from '../entity/decideCommand.ts';
import { decideOnStored } from '../entity/decideOnStored.ts';
import type { AnyEntity, CommandInput, EntityDefinition, EntityEvent } from '../entity/defineEntity.ts';
import { EntityCache } from '../entity/EntityCache.ts';
import { ResourceLocks } from '../consumer/ResourceLocks.ts';
import { streamResource } from '../consumer/UnitOfWork.ts';
import type { EntityPublication } from '../entity/publishTo.ts';
import { validateCommand } from '../entity/validateCommand.ts';
import { replayOutcome } from '../entity/replayOutcome.ts';
import { isConcurrencyError } from '../errors/ConcurrencyError.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import { TypedEmitter } from '../events/TypedEmitter.ts';
import type { ServiceEvents } from '../events/ServiceEvents.ts';
import { deriveMessageId, newMessageId } from '../ids/MessageId.ts';
import type { Logger } from '../logging/Logger.ts';
import { defaultLogger } from '../logging/defaultLogger.ts';
import { OutboxRelay } from '../outbox/OutboxRelay.ts';
import { GroupCommit } from './GroupCommit.ts';
import { whenAll } from '../concurrency/whenAll.ts';
import { emptyChange } from '../ports/Change.ts';
import type { Bus, TopicSpec } from '../ports/Bus.ts';
import type { RetentionOutcome } from '../ports/Retention.ts';
import type { DocumentQuery, Store } from '../ports/Store.ts';
import type { ReadModelDefinition } from '../readmodel/defineReadModel.ts';
import type { SchemaMap } from '../schema/validate.ts';
import type { PublishInput, TopicDefinition } from '../topic/defineTopic.ts';
import { assertName } from '../topic/defineTopic.ts';
import { prepareOutgoing } from '../topic/prepareOutgoing.ts';
import { dueTime, type ScheduleOptions } from '../timer/ScheduleOptions.ts';
import { TimerRuntime } from '../timer/TimerRuntime.ts';
import { RetentionRuntime } from '../topic/RetentionRuntime.ts';
import { EnsuredTopics } from '../topic/EnsuredTopics.ts';
import type { LeaseStore } from '../ports/LeaseStore.ts';
import type { InstanceSlot } from '../ports/InstanceSlots.ts';
import type { ConsumerPlacement } from '../consumer/ConsumerRuntime.ts';
import { outgoingForEvents } from './outgoingForEvents.ts';
import { whenAllIdle } from './whenAllIdle.ts';
import { WorkflowRuntime, type Workflows } from '../workflow/WorkflowRuntime.ts';
import type { AnyWorkflow } from '../workflow/defineWorkflow.ts';
import type { ServiceInternals } from './ServiceInternals.ts';

export interface ServiceOptions {
  /** The service's name, used in logs. */
  name: string;
  /** The service's own store. The service does not close it. */
  store: Store;
  /** The bus its topics travel on. The service does not close it. */
  bus: Bus;
  /** @default pino at level `warn`, on stderr ({@link defaultLogger}) */
  logger?: Logger;
  /** @default the system clock */
  clock?: Clock;
  /**
   * Committed entity states kept in memory.
   * @default 10000
   */
  entityCacheSize?: number;
  /**
   * This process's name among the instances of the service, for partition leases. A process restarted under the
   * same name takes its partitions back at once; under a new name it waits for the old leases to expire.
   * @default a name claimed from the store's instance slots (`<service>-0`, `<service>-1`, …, held while the
   * process lives and free again the moment it dies, so a restart gets the dead process's name back); a fresh
   * unique id when the store has none
   */
  instanceId?: string;
  /**
   * Where instances of the service lease partitions; `false` makes this instance own every partition.
   * @default the bus's leases if it has any (NATS), else the store's (SQLite, PostgreSQL)
   */
  leases?: LeaseStore | false;
  /**
   * How long a partition lease lasts without renewal: an instance that dies loses its partitions within this.
   * @default 10000
   */
  leaseTtlMs?: number;
  /**
   * How often retention policies of the service's topics are applied.
   * @default 60000
   */
  retentionIntervalMs?: number;
  /**
   * How often each consumer writes a sample of its throughput and lag (per partition) to the store, for the
   * console's charts of the last hour; `false` writes none. Samples older than an hour are deleted.
   * @default 10000
   */
  sampleIntervalMs?: number | false;
}

export interface EntityOptions<E extends SchemaMap> {
  /** Topic publications of the entity's events, written in the same transaction as the events. */
  publish?: EntityPublication<EntityEvent<E>> | ReadonlyArray<EntityPublication<EntityEvent<E>>>;
}

export interface CommandOptions {
  /** Idempotency key: executing a command id again returns its first outcome and appends nothing. */
  commandId?: string;
  /** Headers copied onto the events (e.g. correlationId, traceparent). */
  headers?: MessageHeaders;
}

/** Read-only queries on a read model. */
export interface ReadModelQuery<D> {
  get(id: string): Promise<D | undefined>;
  /**
   * Documents whose top-level fields equal `query.where`, one page at a time: in id order, at most `query.limit`
   * (default 100). Pass the last id of a page as `query.after` for the next one; a shorter page is the last.
   */
  find(query?: DocumentQuery): Promise<Array<{ id: string; doc: D }>>;
}

/** A service: entities, consumers and publications over one store and one bus. */
export interface Service {
  readonly name: string;
  /** Lifecycle events (commits, failures, rewinds). Returns an unsubscribe function. */
  on<K extends keyof ServiceEvents>(event: K, listener: (event: ServiceEvents[K]) => void): () => void;
  /** Registers an entity (and where its events are published). Before `start`. */
  entity<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
    entity: EntityDefinition<S, C, E, R>,
    options?: EntityOptions<E>,
  ): Service;
  /** Registers a workflow and the consumers that run it (see {@link defineWorkflow}). Before `start`. */
  workflow(workflow: AnyWorkflow): Service;
  /** Starts, finds and lists the runs of the service's workflows. */
  readonly workflows: Workflows;
  /** Registers a consumer. Before `start`. */
  consumer<Src extends ConsumerSourceDefinition>(options: ConsumerOptions<Src>): Service;
  /** Creates topics, starts the outbox relay and every consumer. */
  start(): Promise<void>;
  /**
   * Stops consumers gracefully — running handlers finish and commit, messages not yet started are left for the
   * next start — then timers, then the relay, which first flushes the outbox: one last pass publishes every
   * message committed so far (what the bus refuses then stays in the outbox for the next start, with a warning).
   * Handlers still running after `timeoutMs` are abandoned: their signal aborts and nothing they did is committed.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** Executes a command and commits its events (and their publications) at once. */
  execute<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
    entity: EntityDefinition<S, C, E, R>,
    entityId: string,
    command: CommandInput<C>,
    options?: CommandOptions,
  ): Promise<CommandOutcome<E, R>>;
  /** Publishes messages to a topic through the outbox, atomically. */
  publish<M extends SchemaMap>(
    topic: TopicDefinition<M>,
    messages: PublishInput<M> | ReadonlyArray<PublishInput<M>>,
  ): Promise<void>;
  /** Publishes a message later: a durable timer that survives restarts. Returns the timer id. */
  schedule<M extends SchemaMap>(
    topic: TopicDefinition<M>,
    message: PublishInput<M>,
    when: ScheduleOptions,
  ): Promise<string>;
  /**
   * Resolves once the service has nothing left to do: its consumers have handled everything on their sources,
   * the outbox is empty and no timer or dead-letter action is due. Timers and delayed retries due later do not
   * count, and a paused consumer counts as idle. To wait for several services that feed each other, use
   * {@link whenAllIdle}.
   * @throws ParleyError `IDLE_TIMEOUT` naming what is still busy, after `timeoutMs`
   */
  whenIdle(options?: IdleOptions): Promise<void>;
  /** One look at whether the service is idle (see {@link Service.whenIdle}), and what keeps it busy. */
  checkIdle(): Promise<IdleState>;
  /** Applies the retention policies of the service's topics now (it also runs every `retentionIntervalMs`). */
  applyRetention(): Promise<RetentionOutcome[]>;
  /** What this process's consumers are doing. */
  consumerStatus(): Array<{ name: string; paused: boolean; pending: number; parkedKeys: string[] }>;
  /** The current state of an entity. */
  load<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
    entity: EntityDefinition<S, C, E, R>,
    entityId: string,
  ): Promise<{ state: S; version: number }>;
  /** Queries a read model. */
  query<D>(model: ReadModelDefinition<D>): ReadModelQuery<D>;
}

/** How {@link Service.whenIdle} waits. */
export interface IdleOptions {
  /** @default 30000 */
  timeoutMs?: number;
  /**
   * How often it looks, in ms.
   * @default 10
   */
  pollMs?: number;
  /** What times the waiting (a simulation's virtual clock). @default the system clock */
  clock?: Clock;
}

/** What {@link Service.checkIdle} found. */
export interface IdleState {
  readonly idle: boolean;
  /** What is still busy, e.g. `consumer wallet-charger`, `outbox`, `timers`. */
  readonly busy: ReadonlyArray<string>;
  /** Grows with every commit, relay pass and fired timer: equal counts around two looks mean nothing moved. */
  readonly activity: number;
}

const MAX_COMMAND_ATTEMPTS = 20;

/**
 * Creates a service over a store and a bus.
 *
 * @example
 * const wallet = createService({ name: 'wallet', store, bus, logger })
 *   .entity(walletEntity, { publish: publishTo(walletEvents, toWalletMessage) })
 *   .consumer({ name: 'wallet-charger', source: showEvents, handle: { SeatReserved: charge } });
 * await wallet.start();
 */
export function createService(options: ServiceOptions): Service {
  assertName(options.name, 'service');
  const logger = (options.logger ?? defaultLogger()).child({ service: options.name });
  const clock = options.clock ?? systemClock;
  const { store, bus } = options;
  const cache = new EntityCache(options.entityCacheSize ?? 10_000);
  const events = new TypedEmitter<ServiceEvents>((error) =>
    logger.error({ err: error }, 'event listener threw'),
  );
  let activity = 0;
  events.on('relay:published', () => activity++);
  const relay = new OutboxRelay(store, bus, clock, logger, events);
  // A fired timer's message is a commit of this process like any other; the relay may have it to send.
  const timers = new TimerRuntime(store, clock, logger, (message) => {
    internals.committed({ timers: [], outgoing: [message] });
    relay.notify();
  });
  const known = new Map<string, TopicDefinition>();
  const retention = new RetentionRuntime(
    bus,
    () => [...known.values()],
    clock,
    logger,
    events,
    options.retentionIntervalMs ?? 60_000,
  );
  const leases = options.leases === false ? undefined : (options.leases ?? bus.leases ?? store.leases);
  let slot: InstanceSlot | undefined;
  /** The instance name: given, else claimed from the store (only worth it when partitions are leased). */
  const placementFor = async (): Promise<ConsumerPlacement> => {
    let instance = options.instanceId;
    if (instance === undefined && leases !== undefined && store.instanceSlots !== undefined) {
      slot = await store.instanceSlots.claim(options.name);
      instance = slot.id;
    }
    return {
      leases,
      instance: instance ?? newMessageId(clock.now()),
      leaseTtlMs: options.leaseTtlMs ?? 10_000,
    };
  };
  const topicSpecs = new Map<string, Promise<TopicSpec>>();
  const entities = new Map<string, { entity: AnyEntity; publications: EntityPublication[] }>();
  const consumerOptions: Array<ConsumerOptions<ConsumerSourceDefinition>> = [];
  const topics = new EnsuredTopics(bus);
  const locks = new ResourceLocks();
  // Concurrent direct commands share commits (see GroupCommit); consumers batch their own.
  const commandCommits = new GroupCommit(store);
  let unitIds = 0;
  let consumers: ConsumerRuntime[] = [];
  let state: 'new' | 'running' | 'stopped' = 'new';

  const internals: ServiceInternals = {
    name: options.name,
    store,
    bus,
    logger,
    clock,
    loadSnapshot(entity, entityId, loadOptions = {}) {
      const key = EntityCache.key(entity.name, entityId);
      const cached = cache.get(key);
      if (cached !== undefined && loadOptions.fresh !== true) return cached;
      const from = cached ?? { state: entity.initialState(), version: 0 };
      return store.readStream(entity.name, entityId, from.version).then((stored) => {
        const snapshot = foldEvents(entity, from, stored);
        cache.set(key, snapshot);
        return snapshot;
      });
    },
    cacheSnapshot(entity, entityId, snapshot) {
      cache.set(EntityCache.key(entity, entityId), snapshot);
    },
    evictSnapshot(entity, entityId) {
      cache.delete(EntityCache.key(entity, entityId));
    },
    forgetSnapshots() {
      cache.clear();
    },
    publicationsOf(entity) {
      const registered = entities.get(entity.name);
      if (registered === undefined || registered.entity !== entity) {
        throw new ParleyError(
          'UNKNOWN_ENTITY',
          `entity ${entity.name} is not registered with service ${options.name}: call service.entity(${entity.name}) first`,
        );
      }
      return registered.publications;
    },
    ensureTopic(topic) {
      if (!known.has(topic.name)) known.set(topic.name, topic);
      return topics.ensure(topic);
    },
    topicSpec(name) {
      let spec = topicSpecs.get(name);
      if (spec === undefined) {
        spec = bus.listTopics().then((all) => {
          const found = all.find((t) => t.name === name);
          if (found === undefined) {
            topicSpecs.delete(name);
            throw new ParleyError('UNKNOWN_TOPIC', `topic ${name} does not exist on ${bus.description}`);
          }
          return found;
        });
        spec.catch(() => topicSpecs.delete(name));
        topicSpecs.set(name, spec);
      }
      return spec;
    },
    locks,
    nextUnitId: () => ++unitIds,
    workflowRuntime: () => workflowRuntime,
    committed(change) {
      activity++;
      recordSent(change.outgoing, events);
      // The relay hears of outbox rows from the store itself, which signals only commits that wrote some.
      if (change.timers.length > 0) timers.notify();
    },
  };

  let warnedNotStarted = false;
  /** Writes before `start` commit, but nothing relays or consumes them yet: say so once, since it is easy to miss. */
  const warnIfNotStarted = (what: string): void => {
    if (state !== 'new' || warnedNotStarted) return;
    warnedNotStarted = true;
    logger.warn(
      { call: what },
      `${what} on service ${options.name} before service.start(): it commits, but its messages wait in the outbox ` +
        'and no consumer runs until the service starts',
    );
  };

  const assertNotStarted = (what: string): void => {
    if (state !== 'new') throw new ParleyError('SERVICE_STARTED', `${what}: register before service.start()`);
  };

  let workflowRuntime: WorkflowRuntime | undefined;
  const workflows = (): WorkflowRuntime =>
    (workflowRuntime ??= new WorkflowRuntime(internals, {
      entity: (entity) => service.entity(entity),
      consumer: (consumer) => service.consumer(consumer),
    }));

  const service: Service = {
    name: options.name,

    workflow(workflow) {
      assertNotStarted(`workflow ${workflow.name}`);
      workflows().add(workflow);
      return service;
    },

    get workflows() {
      return workflows().api;
    },

    on: (event, listener) => events.on(event, listener),

    entity(entity, entityOptions = {}) {
      assertNotStarted(`entity ${entity.name}`);
      if (entity.name.startsWith(JOURNAL_PREFIX) && !isJournalEntity(entity)) {
        throw new ParleyError(
          'RESERVED_NAME',
          `entity ${entity.name}: names starting with ${JOURNAL_PREFIX} are the workflow journals'`,
        );
      }
      if (entities.has(entity.name))
        throw new ParleyError('DUPLICATE_ENTITY', `entity ${entity.name} is already registered`);
      const publish = entityOptions.publish;
      const publications = (publish === undefined
        ? []
        : Array.isArray(publish)
          ? publish
          : [publish]) as unknown as EntityPublication[];
      entities.set(entity.name, { entity: entity, publications });
      return service;
    },

    consumer(consumer) {
      assertNotStarted(`consumer ${consumer.name}`);
      assertName(consumer.name, 'consumer');
      if (consumerOptions.some((c) => c.name === consumer.name)) {
        throw new ParleyError('DUPLICATE_CONSUMER', `consumer ${consumer.name} is already registered`);
      }
      normaliseConsumer(consumer);
      consumerOptions.push(consumer);
      return service;
    },

    async start() {
      if (state !== 'new')
        throw new ParleyError('SERVICE_STARTED', `service ${options.name} was already started`);
      state = 'running';
      // Every definition, not one per name: two that disagree on the partition count fail the start.
      const needed = new Set<TopicDefinition>();
      for (const { publications } of entities.values()) for (const p of publications) needed.add(p.topic);
      for (const c of consumerOptions) if (c.source.kind === 'topic') needed.add(c.source as TopicDefinition);
      await Promise.all([...needed].map((topic) => internals.ensureTopic(topic)));
      const placement = consumerOptions.length > 0 ? await placementFor() : undefined;
      relay.start();
      timers.start();
      retention.start();
      consumers = consumerOptions.map(
        (c) =>
          new ConsumerRuntime(
            normaliseConsumer(c),
            consumerSource(c.source, store, bus),
            internals,
            events,
            placement,
            options.sampleIntervalMs === false ? undefined : (options.sampleIntervalMs ?? 10_000),
          ),
      );
      await Promise.all(consumers.map((c) => c.start()));
      logger.info(
        {
          consumers: consumers.map((c) => c.name),
          entities: [...entities.keys()],
          ...(placement === undefined ? {} : { instance: placement.instance }),
        },
        'service started',
      );
    },

    async stop(stopOptions = {}) {
      if (state !== 'running') return;
      state = 'stopped';
      await Promise.all(consumers.map((c) => c.stop(stopOptions.timeoutMs)));
      await timers.stop();
      await retention.stop();
      await relay.stop();
      await slot?.release();
      logger.info({}, 'service stopped');
    },

    async execute<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
      entity: EntityDefinition<S, C, E, R>,
      entityId: string,
      input: CommandInput<C>,
      commandOptions: CommandOptions = {},
    ): Promise<CommandOutcome<E, R>> {
      const anyEntity = entity as unknown as AnyEntity;
      const publications = internals.publicationsOf(anyEntity);
      if (state === 'new') {
        warnIfNotStarted('execute');
        // start() creates the topics; a command before it must not fail on a topic that does not exist yet.
        await Promise.all(publications.map((p) => internals.ensureTopic(p.topic)));
      }
      const command = await validateCommand(anyEntity, input);
      const explicitId = commandOptions.commandId;
      const commandId = explicitId ?? newMessageId(clock.now());
      const metadata = compactHeaders({ correlationId: commandId, ...commandOptions.headers, commandId });
      // Queue behind this process's other writers of the stream (consumers included) instead of racing them.
      const unit = ++unitIds;
      const resource = streamResource(entity.name, entityId);
      await locks.acquire(resource, `api\u0000${unit}`, unit);
      try {
        for (let attempt = 1; attempt <= MAX_COMMAND_ATTEMPTS; attempt++) {
          if (explicitId !== undefined) {
            const recorded = await store.findCommand(explicitId);
            if (recorded !== undefined)
              return replayOutcome(recorded.outcome, recorded.entityId, explicitId) as CommandOutcome<E, R>;
          }
          const now = clock.now();
          const { before, decided } = await decideOnStored(
            anyEntity,
            await internals.loadSnapshot(anyEntity, entityId),
            command,
            {
              entityId,
              commandId,
              now,
              metadata,
              eventId: (index) => deriveMessageId(commandId, `${entity.name}/${entityId}`, index),
            },
            () => internals.loadSnapshot(anyEntity, entityId, { fresh: true }),
          );
          try {
            if (decided.status === 'rejected') {
              if (explicitId !== undefined) {
                await commandCommits.commit({
                  ...emptyChange,
                  commands: [
                    {
                      commandId,
                      entity: entity.name,
                      entityId,
                      outcome: { status: 'rejected', ...decided.rejection },
                    },
                  ],
                });
              }
              return {
                status: 'rejected',
                entityId,
                commandId,
                rejection: decided.rejection,
                duplicate: false,
              } as CommandOutcome<E, R>;
            }
            const outgoing = await outgoingForEvents(
              publications,
              entityId,
              before.version + 1,
              decided.events,
              now,
            );
            await commandCommits.commit({
              ...emptyChange,
              appends:
                decided.events.length === 0
                  ? []
                  : [
                      {
                        entity: entity.name,
                        entityId,
                        expectedVersion: before.version,
                        events: decided.events,
                      },
                    ],
              commands:
                explicitId === undefined
                  ? []
                  : [
                      {
                        commandId,
                        entity: entity.name,
                        entityId,
                        outcome: {
                          status: 'accepted',
                          version: decided.after.version,
                          eventIds: decided.events.map((e) => e.id),
                        },
                      },
                    ],
              outgoing,
            });
            internals.committed({ timers: [], outgoing });
          } catch (error) {
            // Conflict or not, what the store holds is unknown now (a commit can fail after it took effect).
            internals.evictSnapshot(entity.name, entityId);
            if (!isConcurrencyError(error)) throw error;
            // Another process won the race: back off a little, with jitter, so racers spread out.
            await clock.sleep(clock.random() * Math.min(100, 2 ** attempt));
            continue;
          }
          internals.cacheSnapshot(entity.name, entityId, decided.after);
          return {
            status: 'accepted',
            entityId,
            commandId,
            version: decided.after.version,
            events: decided.domainEvents,
            duplicate: false,
          } as unknown as CommandOutcome<E, R>;
        }
        throw new ParleyError(
          'TOO_MANY_CONFLICTS',
          `command on ${entity.name}/${entityId} lost ${MAX_COMMAND_ATTEMPTS} concurrency races in a row`,
        );
      } finally {
        locks.discarded(unit, [resource]);
      }
    },

    async publish(topic, messages) {
      const list = (Array.isArray(messages) ? messages : [messages]) as ReadonlyArray<
        PublishInput<SchemaMap>
      >;
      warnIfNotStarted('publish');
      await internals.ensureTopic(topic);
      await sendSpan(topic.name, list.length, async () => {
        const now = clock.now();
        const prepared = list.map((message) => {
          const id = newMessageId(now);
          return prepareOutgoing(topic as unknown as TopicDefinition, message, {
            id,
            headers: { correlationId: id },
            now,
          });
        });
        // Synchronous schemas (the usual case) need no promise per message.
        const outgoing = await whenAll(prepared);
        await store.commit({ ...emptyChange, outgoing });
        internals.committed({ timers: [], outgoing });
      });
    },

    async schedule(topic, message, when) {
      warnIfNotStarted('schedule');
      await internals.ensureTopic(topic);
      const now = clock.now();
      const dueAt = dueTime(when, now);
      const id = newMessageId(now);
      const outgoing = await prepareOutgoing(
        topic as unknown as TopicDefinition,
        message as PublishInput<SchemaMap>,
        {
          id,
          headers: { correlationId: id },
          now: dueAt,
        },
      );
      // Handled later, in a trace of its own linked to this one.
      const message_ = { ...outgoing, headers: asTraceLink(outgoing.headers) };
      await store.commit({ ...emptyChange, timers: [{ id, dueAt, message: message_ }] });
      timers.notify();
      return id;
    },

    async checkIdle() {
      const before = activity;
      const busy: string[] = [];
      const idle = await Promise.all(consumers.map((c) => c.isIdle()));
      consumers.forEach((c, i) => {
        if (idle[i] !== true) busy.push(`consumer ${c.name}`);
      });
      if ((await store.fetchOutbox(1)).length > 0) busy.push('outbox');
      const nextTimer = await store.nextTimerDue();
      if (nextTimer !== undefined && nextTimer <= clock.now()) busy.push('timers');
      return { idle: busy.length === 0 && activity === before, busy, activity };
    },

    async whenIdle(idleOptions = {}) {
      await whenAllIdle([service], { clock, ...idleOptions });
    },

    applyRetention: () => retention.applyOnce(),

    consumerStatus() {
      return consumers.map((c) => ({
        name: c.name,
        paused: c.isPaused,
        pending: c.pending,
        parkedKeys: c.parkedKeys(),
      }));
    },

    async load(entity, entityId) {
      internals.publicationsOf(entity);
      const snapshot = await internals.loadSnapshot(entity, entityId, {
        fresh: true,
      });
      return snapshot as { state: never; version: number };
    },

    query<D>(model: ReadModelDefinition<D>): ReadModelQuery<D> {
      return {
        get: async (id) => ((await store.getDocument(model.name, id)) ?? undefined) as D | undefined,
        find: async (query) =>
          (await store.findDocuments(model.name, query)) as Array<{ id: string; doc: D }>,
      };
    },
  };
  return service;
}
