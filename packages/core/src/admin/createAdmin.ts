import { systemClock, type Clock } from '../clock/Clock.ts';
import type { DeadLetterChange } from '../deadletter/deadLetterChange.ts';
import {
  BLOCKING_STATUSES,
  discard,
  edit,
  holdsItsKey,
  isRedrivable,
  redrive,
} from '../deadletter/deadLetterLifecycle.ts';
import { isConcurrencyError } from '../errors/ConcurrencyError.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import type { Bus } from '../ports/Bus.ts';
import { emptyChange } from '../ports/Change.ts';
import type { DeadLetter, DeadLetterFilter } from '../ports/DeadLetter.ts';
import type { Store } from '../ports/Store.ts';
import { validate } from '../schema/validate.ts';
import {
  actorArgument,
  countArgument,
  deadLetterFilterArgument,
  deadLetterTargetArgument,
  textArgument,
} from './adminArguments.ts';
import type { BulkResult, Untouched, UntouchedDeadLetter } from './BulkResult.ts';
import type { ConsumerInfo } from './ConsumerInfo.ts';
import { historyOf, type ConsumerHistory } from './ConsumerHistory.ts';
import { traceByCorrelation, type SagaTrace } from './traceAdmin.ts';
import { SAMPLE_RETENTION_MS } from '../ports/ConsumerSample.ts';
import { outboxAdmin, type OutboxAdmin } from './outboxAdmin.ts';
import { workflowAdmin, type WorkflowAdmin } from './workflowAdmin.ts';
import type { TopicInfo } from './TopicInfo.ts';
import type { SchemaRegistry } from './SchemaRegistry.ts';

export interface AdminOptions {
  store: Store;
  /** Needed for consumer lag on topics. */
  bus?: Bus;
  /** Schemas for edit-and-redrive; without one for a message, its edit is refused. */
  schemas?: SchemaRegistry;
  /** @default the system clock */
  clock?: Clock;
}

/** Who acts, for the audit trail. */
export interface Actor {
  by: string;
}

/** The result of an edit: the dead letter after it, and the payload before and after. */
export interface EditResult {
  deadLetter: DeadLetter;
  before: unknown;
  after: unknown;
}

/** Operations on dead letters and consumers: what the CLI and the dashboard call. */
export interface Admin {
  deadLetters: {
    /**
     * One page of the dead letters matching `filter`, in id order (oldest first): at most `filter.limit`
     * (default 100). For the next page, pass the last id as `filter.after`; a shorter page is the last.
     */
    list(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
    /** @throws ParleyError `NOT_FOUND` */
    show(id: string): Promise<DeadLetter>;
    /**
     * Handles dead letters again: one by id, or every one matching a filter (by default of status `parked` or
     * `retrying`; give `status` to take others). A parked or retrying head is retried with a fresh retry budget
     * and its key drains in order once it succeeds. An `escalated` or `skipped` message is no longer in its
     * key's queue (the key went on): it is replayed on its own, in its key's turn, without blocking the key; if
     * it fails again it returns to its former status with the new error, and `onExhausted` is not called again.
     * What a filter matches and the operation leaves alone is reported with why, never an error.
     * @throws ParleyError `NOT_FOUND`, `NOT_REDRIVABLE` (discarded, or handled after a redrive) for an id
     */
    redrive(target: string | DeadLetterFilter, actor: Actor): Promise<BulkResult>;
    /**
     * Replaces a failed message's payload and redrives it, as `redrive` does (parked, retrying, escalated or
     * skipped ones). The new payload is validated against the message's schema first; an invalid one is refused
     * and nothing changes. The edit is audited; the message keeps its id and headers.
     */
    edit(
      id: string,
      payload: unknown,
      actor: Actor & { reason?: string; dryRun?: boolean },
    ): Promise<EditResult>;
    /**
     * Drops dead letters, one by id or every one matching a filter (by default `parked` or `retrying`), and
     * cancels pending redrives; each key's queue then drains. What it matches and leaves alone is reported.
     * @throws ParleyError `NOT_FOUND`, `NOT_DISCARDABLE` (in no queue: escalated, skipped, handled) for an id
     */
    discard(target: string | DeadLetterFilter, actor: Actor): Promise<BulkResult>;
    /** Drops the message at the head of a parked key. */
    skipHead(consumer: string, key: string, actor: Actor): Promise<DeadLetter>;
  };
  /** Outbox messages the relay set aside because the bus refuses them: list, show, discard, retry. */
  outbox: OutboxAdmin;
  /** Workflow runs: list, show (the timeline), cancel, resume. */
  workflows: WorkflowAdmin;
  /**
   * One saga's messages across services by correlation id: topic messages (published, and consumed by each group
   * past them), dead letters (failed, redriven, discarded …) and outbox messages not sent, in order.
   */
  trace(correlationId: string): Promise<SagaTrace>;
  topics: {
    /** Topics on the bus with their size, registered groups and what retention holds back for them. */
    list(): Promise<TopicInfo[]>;
  };
  consumers: {
    list(): Promise<ConsumerInfo[]>;
    /**
     * Throughput and lag over the last hour (at most), from the samples consumers write to the store every
     * `sampleIntervalMs`: one series per consumer and source, each point summed over partitions.
     */
    history(filter?: { consumer?: string; sinceMs?: number }): Promise<ConsumerHistory[]>;
    pause(consumer: string, actor: Actor & { reason?: string }): Promise<void>;
    resume(consumer: string, actor: Actor): Promise<void>;
  };
}

const MAX_ATTEMPTS = 5;

/**
 * The admin API over a service's store. Every dead-letter operation is a change to the dead letter plus an event
 * on its system stream, committed together; the consumer owning the dead letter acts on it (retry, replay or
 * drop) within about a second, in whichever process it runs.
 *
 * @example
 * const admin = createAdmin({ store, bus, schemas: schemaRegistry({ topics: [showEvents] }) });
 * for (const dl of await admin.deadLetters.list({ status: 'parked' })) console.log(dl.id, dl.error.message);
 */
export function createAdmin(options: AdminOptions): Admin {
  const { store, bus } = options;
  const clock = options.clock ?? systemClock;

  const load = async (id: string): Promise<DeadLetter> => {
    textArgument(id, 'id');
    const found = await store.getDeadLetter(id);
    if (found === undefined) throw new ParleyError('NOT_FOUND', `no dead letter ${id}`);
    return found;
  };

  /**
   * Applies `decide` to a dead letter and commits the change with its event, reloading on a concurrent change.
   * `listed` is the version the dead letter had when a filter matched it: when it changed since and `decide`
   * no longer applies, someone else got there first. With `strict` (one id asked for), every refusal throws.
   */
  const change = async (
    id: string,
    decide: (current: DeadLetter, now: number) => DeadLetterChange | 'already' | ParleyError,
    strict: boolean,
    listed?: number,
  ): Promise<{ deadLetter: DeadLetter } | UntouchedDeadLetter> => {
    for (let attempt = 1; ; attempt++) {
      const current = await store.getDeadLetter(id);
      if (current === undefined) {
        if (strict) throw new ParleyError('NOT_FOUND', `no dead letter ${id}`);
        return { id, reason: 'gone', status: null };
      }
      const next = decide(current, clock.now());
      const untouched = (reason: Untouched): UntouchedDeadLetter => ({ id, reason, status: current.status });
      if (next === 'already') return untouched('already');
      if (next instanceof ParleyError) {
        if (strict) throw next;
        return untouched(listed !== undefined && listed !== current.version ? 'changed' : 'not-applicable');
      }
      try {
        await store.commit({ ...emptyChange, deadLetters: [next.deadLetter], appends: [next.append] });
        return { deadLetter: next.deadLetter };
      } catch (error) {
        if (!isConcurrencyError(error)) throw error;
        // Busy with others (its consumer, other operators): a bulk run moves on and says so.
        if (attempt >= MAX_ATTEMPTS) {
          if (strict) throw error;
          return untouched('changed');
        }
      }
    }
  };

  /** Runs `one` over a target: one id (strictly), or every dead letter a filter matches. */
  const bulk = async (
    target: string | DeadLetterFilter,
    one: (id: string, strict: boolean, listed?: number) => ReturnType<typeof change>,
  ): Promise<BulkResult> => {
    const matched =
      typeof target === 'string' ? [{ id: target, version: undefined }] : everyMatch(store, target);
    const changed: DeadLetter[] = [];
    const untouched: UntouchedDeadLetter[] = [];
    const untouchedBy: Partial<Record<Untouched, number>> = {};
    for await (const { id, version } of matched) {
      const result = await one(id, typeof target === 'string', version);
      if ('deadLetter' in result) changed.push(result.deadLetter);
      else {
        untouched.push(result);
        untouchedBy[result.reason] = (untouchedBy[result.reason] ?? 0) + 1;
      }
    }
    return { changed, untouched, untouchedBy };
  };

  const redriveOne = (id: string, actor: Actor, strict: boolean, listed?: number) =>
    change(id, (current, now) => redrive(current, actor.by, now), strict, listed);

  const discardOne = (id: string, actor: Actor, strict: boolean, listed?: number) =>
    change(id, (current, now) => discard(current, actor.by, now), strict, listed);

  return {
    deadLetters: {
      list: async (filter) => store.listDeadLetters(deadLetterFilterArgument(filter)),
      show: async (id) => load(id),

      redrive: async (target, actor) => {
        const checked = deadLetterTargetArgument(target);
        actorArgument(actor);
        return bulk(checked, (id, strict, listed) => redriveOne(id, actor, strict, listed));
      },

      async edit(id, payload, actor) {
        actorArgument(actor);
        const current = await load(id);
        if (!isRedrivable(current.status)) {
          throw new ParleyError(
            'NOT_EDITABLE',
            `dead letter ${id} is ${current.status}; only parked, retrying, escalated or skipped ones can be edited`,
          );
        }
        const { source, type } = current.message;
        const schema = options.schemas?.schemaFor(source, type);
        if (schema === undefined) {
          throw new ValidationError(
            options.schemas?.knows(source) === true
              ? `${source} has no message type ${type}: the edit cannot be checked`
              : `no schema known for ${source}: the edit cannot be checked (give the admin API the topic's definition)`,
          );
        }
        const validated = await validate(schema, payload, `edit of ${type} in dead letter ${id}`);
        const before = parseOr(current.message.payload);
        // A schema may let through what JSON cannot hold (a bigint, a cycle): refused before anything changes.
        let text: string;
        try {
          text = JSON.stringify(validated) ?? 'null';
        } catch (error) {
          throw new ValidationError(`edit of ${type} in dead letter ${id} is not JSON`, [], { cause: error });
        }
        if (actor.dryRun === true) return { deadLetter: current, before, after: validated };
        const change_ = {
          payload: text,
          by: actor.by,
          seen: current.version,
          ...(actor.reason === undefined ? {} : { reason: actor.reason }),
        };
        const result = await change(id, (latest, now) => edit(latest, change_, now), true);
        if (!('deadLetter' in result))
          throw new ParleyError('CHANGED', `dead letter ${id} changed meanwhile`);
        return { deadLetter: result.deadLetter, before, after: validated };
      },

      discard: async (target, actor) => {
        const checked = deadLetterTargetArgument(target);
        actorArgument(actor);
        return bulk(checked, (id, strict, listed) => discardOne(id, actor, strict, listed));
      },

      async skipHead(consumer, key, actor) {
        textArgument(consumer, 'consumer');
        textArgument(key, 'key', { empty: true });
        actorArgument(actor);
        const heads = await store.listDeadLetters({
          consumer,
          key,
          status: [...BLOCKING_STATUSES, 'redriven'],
          limit: 1000,
        });
        const head = heads.find(holdsItsKey);
        if (head === undefined)
          throw new ParleyError(
            'NOT_FOUND',
            `consumer ${consumer} has no parked message at the head of key ${key}`,
          );
        const result = await discardOne(head.id, actor, true);
        return 'deadLetter' in result ? result.deadLetter : load(head.id);
      },
    },

    outbox: outboxAdmin(store, clock),

    workflows: workflowAdmin(store, clock, (id, actor) => redriveOne(id, actor, true)),

    topics: {
      async list() {
        if (bus === undefined) throw new ParleyError('NO_BUS', 'listing topics needs the bus');
        const [specs, progress, retention] = await Promise.all([
          bus.listTopics(),
          bus.listProgress(),
          bus.listRetention(),
        ]);
        const infos: TopicInfo[] = [];
        for (const spec of specs) {
          let messages = 0;
          for (let partition = 0; partition < spec.partitions; partition++)
            messages += await bus.countAfter(spec.name, partition, 0);
          const groups = new Map<string, number>();
          for (const p of progress.filter((p) => p.topic === spec.name)) groups.set(p.group, 0);
          for (const group of groups.keys()) {
            let lag = 0;
            for (let partition = 0; partition < spec.partitions; partition++) {
              const at =
                progress.find((p) => p.topic === spec.name && p.group === group && p.partition === partition)
                  ?.position ?? 0;
              lag += await bus.countAfter(spec.name, partition, at);
            }
            groups.set(group, lag);
          }
          const runs = retention.filter((r) => r.topic === spec.name);
          infos.push({
            name: spec.name,
            partitions: spec.partitions,
            messages,
            groups: [...groups].map(([group, lag]) => ({ group, lag })),
            held: runs.reduce((sum, r) => sum + r.held, 0),
            laggingGroups: [
              ...new Set(runs.flatMap((r) => (r.laggingGroup === null ? [] : [r.laggingGroup]))),
            ],
            removed: runs.reduce((sum, r) => sum + r.removed, 0),
          });
        }
        return infos;
      },
    },

    trace: async (correlationId) =>
      traceByCorrelation(store, bus, textArgument(correlationId, 'correlationId')),

    consumers: {
      async list() {
        const [cursors, states, topics] = await Promise.all([
          store.listCursors(),
          store.listConsumerStates(),
          bus === undefined ? Promise.resolve(undefined) : bus.listTopics(),
        ]);
        const groups = new Map<
          string,
          { consumer: string; source: string; positions: Map<number, number> }
        >();
        for (const cursor of cursors) {
          const id = `${cursor.consumer}\u0000${cursor.source}`;
          let group = groups.get(id);
          if (group === undefined)
            groups.set(
              id,
              (group = { consumer: cursor.consumer, source: cursor.source, positions: new Map() }),
            );
          group.positions.set(cursor.partition, cursor.position);
        }
        for (const state of states) {
          if (![...groups.values()].some((g) => g.consumer === state.consumer)) {
            groups.set(`${state.consumer}\u0000`, {
              consumer: state.consumer,
              source: '',
              positions: new Map(),
            });
          }
        }
        const infos: ConsumerInfo[] = [];
        for (const group of groups.values()) {
          const state = states.find((s) => s.consumer === group.consumer);
          const cursor = group.source === '' ? [] : await store.loadCursor(group.consumer, group.source);
          const doneAbove = new Map(cursor.map((c) => [c.partition, c.doneAbove.length]));
          const partitions = (
            await lagOf(group.source, group.positions, topics, bus, store, clock.now())
          ).map((p) => ({
            ...p,
            // Messages handled out of order above the checkpoint are done: they are not lag.
            lag: p.lag === null ? null : Math.max(0, p.lag - (doneAbove.get(p.partition) ?? 0)),
          }));
          const parked = group.source === '' ? [] : await store.loadParkedKeys(group.consumer, group.source);
          const counts = await countByStatus(store, group.consumer);
          const lags = partitions.map((p) => p.lag);
          const ages = partitions.map((p) => p.lagSeconds);
          infos.push({
            name: group.consumer,
            source: group.source,
            status: state?.paused === true ? 'paused' : 'running',
            reason: state?.reason ?? null,
            lag: lags.some((l) => l === null) ? null : lags.reduce<number>((sum, l) => sum + (l ?? 0), 0),
            lagSeconds: ages.some((a) => a === null) ? null : Math.max(0, ...(ages as number[])),
            partitions,
            parkedKeys: parked.map((p) => p.key),
            deadLetters: counts,
          });
        }
        return infos.sort((a, b) => a.name.localeCompare(b.name));
      },

      async history(filter = {}) {
        if (typeof filter !== 'object' || filter === null) {
          throw new ParleyError('INVALID_ARGUMENT', 'filter must be an object', {
            details: { argument: 'filter' },
          });
        }
        if (filter.consumer !== undefined) textArgument(filter.consumer, 'filter.consumer', { empty: true });
        if (filter.sinceMs !== undefined) countArgument(filter.sinceMs, 'filter.sinceMs');
        const oldest = clock.now() - SAMPLE_RETENTION_MS;
        const samples = await store.listSamples({
          since: Math.max(oldest, filter.sinceMs ?? oldest),
          ...(filter.consumer === undefined ? {} : { consumer: filter.consumer }),
        });
        return historyOf(samples);
      },

      async pause(consumer, actor) {
        textArgument(consumer, 'consumer');
        actorArgument(actor);
        const reason = actor.reason ?? `paused by ${actor.by}`;
        await store.commit({
          ...emptyChange,
          consumerStates: [
            { consumer, paused: true, reason, updatedAt: new Date(clock.now()).toISOString() },
          ],
        });
      },

      async resume(consumer, actor) {
        textArgument(consumer, 'consumer');
        actorArgument(actor);
        await store.commit({
          ...emptyChange,
          consumerStates: [
            {
              consumer,
              paused: false,
              reason: `resumed by ${actor.by}`,
              updatedAt: new Date(clock.now()).toISOString(),
            },
          ],
        });
      },
    },
  };
}

/** Lag per partition, in messages and in seconds (the age of the first message after the checkpoint). */
async function lagOf(
  source: string,
  positions: Map<number, number>,
  topics: ReadonlyArray<{ name: string; partitions: number }> | undefined,
  bus: Bus | undefined,
  store: Store,
  now: number,
): Promise<Array<{ partition: number; position: number; lag: number | null; lagSeconds: number | null }>> {
  const ageOf = (occurredAt: string | undefined): number => {
    const produced = occurredAt === undefined ? Number.NaN : Date.parse(occurredAt);
    return Number.isFinite(produced) ? Math.max(0, (now - produced) / 1000) : 0;
  };
  if (source.startsWith('entity:')) {
    const entity = source.slice('entity:'.length);
    const position = positions.get(0) ?? 0;
    const lag = await store.countEventsAfter(entity, position);
    const [next] = lag === 0 ? [] : await store.readEvents(entity, position, 1);
    return [{ partition: 0, position, lag, lagSeconds: ageOf(next?.occurredAt) }];
  }
  const topic = topics?.find((t) => t.name === source);
  if (topic === undefined || bus === undefined) {
    return [...positions].map(([partition, position]) => ({
      partition,
      position,
      lag: null,
      lagSeconds: null,
    }));
  }
  return Promise.all(
    Array.from({ length: topic.partitions }, async (_, partition) => {
      const position = positions.get(partition) ?? 0;
      const lag = await bus.countAfter(topic.name, partition, position);
      const [next] = lag === 0 ? [] : await bus.read(topic.name, partition, position, 1);
      return { partition, position, lag, lagSeconds: ageOf(next?.occurredAt) };
    }),
  );
}

/** Dead letters read per query when counting them. */
const COUNT_PAGE = 1000;

const MATCH_PAGE = 500;

/**
 * Every dead letter a bulk operation's filter matches (by default those that hold their keys), read a page at a
 * time by id, so there is no cap on how many one operation handles and a page is acted on before the next is read.
 */
async function* everyMatch(store: Store, filter: DeadLetterFilter): AsyncGenerator<DeadLetter> {
  let after = filter.after;
  let left = filter.limit ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    const limit = Math.min(MATCH_PAGE, left);
    const page = await store.listDeadLetters({
      status: [...BLOCKING_STATUSES],
      ...filter,
      limit,
      ...(after === undefined ? {} : { after }),
    });
    yield* page;
    left -= page.length;
    if (page.length < limit) return;
    after = page.at(-1)?.id;
  }
}

/** A consumer's dead letters by status, read a page at a time: there is no limit to how many it has. */
async function countByStatus(store: Store, consumer: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let after: string | undefined;
  for (;;) {
    const page = await store.listDeadLetters({
      consumer,
      limit: COUNT_PAGE,
      ...(after === undefined ? {} : { after }),
    });
    for (const letter of page) counts[letter.status] = (counts[letter.status] ?? 0) + 1;
    if (page.length < COUNT_PAGE) return counts;
    after = page[page.length - 1]?.id;
  }
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
