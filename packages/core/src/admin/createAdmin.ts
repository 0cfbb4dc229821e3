import { systemClock, type Clock } from '../clock/Clock.ts';
import { deadLetterChange } from '../deadletter/deadLetterChange.ts';
import { isConcurrencyError } from '../errors/ConcurrencyError.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import type { Bus } from '../ports/Bus.ts';
import { emptyChange } from '../ports/Change.ts';
import type { DeadLetter, DeadLetterFilter } from '../ports/DeadLetter.ts';
import type { Store } from '../ports/Store.ts';
import { validate } from '../schema/validate.ts';
import type { ConsumerInfo } from './ConsumerInfo.ts';
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
     * Handles dead letters again: one by id, or every eligible one (`parked` or `retrying`) matching a filter.
     * Each key drains its queue in order once its head succeeds.
     */
    redrive(target: string | DeadLetterFilter, actor: Actor): Promise<DeadLetter[]>;
    /**
     * Replaces a parked message's payload and redrives it. The new payload is validated against the message's
     * schema first; an invalid one is refused and nothing changes. The edit is audited; the message keeps its id
     * and headers.
     */
    edit(
      id: string,
      payload: unknown,
      actor: Actor & { reason?: string; dryRun?: boolean },
    ): Promise<EditResult>;
    /** Drops dead letters (by id or filter); each key's queue then drains. Returns the dead letters it changed. */
    discard(target: string | DeadLetterFilter, actor: Actor): Promise<DeadLetter[]>;
    /** Drops the message at the head of a parked key. */
    skipHead(consumer: string, key: string, actor: Actor): Promise<DeadLetter>;
  };
  /** Outbox messages the relay set aside because the bus refuses them: list, show, discard, retry. */
  outbox: OutboxAdmin;
  /** Workflow runs: list, show (the timeline), cancel, resume. */
  workflows: WorkflowAdmin;
  topics: {
    /** Topics on the bus with their size, registered groups and what retention holds back for them. */
    list(): Promise<TopicInfo[]>;
  };
  consumers: {
    list(): Promise<ConsumerInfo[]>;
    pause(consumer: string, actor: Actor & { reason?: string }): Promise<void>;
    resume(consumer: string, actor: Actor): Promise<void>;
  };
}

const ACTIVE = ['parked', 'retrying'] as const;
const MAX_ATTEMPTS = 5;

/**
 * The admin API over a service's store. Every dead-letter operation is a change to the dead letter plus an event
 * on its system stream, committed together; the consumer owning the dead letter acts on it (retry or drop)
 * within about a second, in whichever process it runs.
 *
 * @example
 * const admin = createAdmin({ store, bus, schemas: schemaRegistry({ topics: [showEvents] }) });
 * for (const dl of await admin.deadLetters.list({ status: 'parked' })) console.log(dl.id, dl.error.message);
 */
export function createAdmin(options: AdminOptions): Admin {
  const { store, bus } = options;
  const clock = options.clock ?? systemClock;

  const load = async (id: string): Promise<DeadLetter> => {
    const found = await store.getDeadLetter(id);
    if (found === undefined) throw new ParleyError('NOT_FOUND', `no dead letter ${id}`);
    return found;
  };

  /** Applies `update` to a dead letter and commits it with its event, reloading on a concurrent change. */
  /** Returns the dead letter after the change, and whether anything changed. */
  const change = async (
    id: string,
    update: (current: DeadLetter, now: number) => ReturnType<typeof deadLetterChange> | undefined,
  ): Promise<{ deadLetter: DeadLetter; changed: boolean }> => {
    for (let attempt = 1; ; attempt++) {
      const current = await load(id);
      const next = update(current, clock.now());
      if (next === undefined) return { deadLetter: current, changed: false };
      try {
        await store.commit({ ...emptyChange, deadLetters: [next.deadLetter], appends: [next.append] });
        return { deadLetter: next.deadLetter, changed: true };
      } catch (error) {
        if (!isConcurrencyError(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  };

  const targets = async (target: string | DeadLetterFilter): Promise<string[]> =>
    typeof target === 'string'
      ? [target]
      : (await store.listDeadLetters({ status: [...ACTIVE], ...target, limit: target.limit ?? 100_000 })).map(
          (d) => d.id,
        );

  const redriveOne = (id: string, actor: Actor, strict: boolean) =>
    change(id, (current, now) => {
      if (current.status === 'redriven' && current.action === 'retry') return undefined;
      if (!(ACTIVE as ReadonlyArray<string>).includes(current.status)) {
        if (!strict) return undefined;
        throw new ParleyError(
          'NOT_REDRIVABLE',
          `dead letter ${id} is ${current.status}; only parked or retrying ones can be redriven`,
        );
      }
      return deadLetterChange(
        current,
        { ...current, status: 'redriven', action: 'retry', dueAt: now, attempts: 0 },
        { type: 'DeadLetterRedriven', data: { by: actor.by } },
        now,
      );
    });

  const discardOne = (id: string, actor: Actor, strict: boolean) =>
    change(id, (current, now) => {
      if (current.status === 'discarded') return undefined;
      const droppable =
        (ACTIVE as ReadonlyArray<string>).includes(current.status) ||
        (current.status === 'redriven' && current.action !== null);
      if (!droppable) {
        if (!strict) return undefined;
        throw new ParleyError(
          'NOT_DISCARDABLE',
          `dead letter ${id} is ${current.status}: it is no longer in a queue`,
        );
      }
      return deadLetterChange(
        current,
        { ...current, status: 'discarded', action: 'drop', dueAt: now },
        { type: 'DeadLetterDiscarded', data: { by: actor.by } },
        now,
      );
    });

  return {
    deadLetters: {
      list: (filter) => store.listDeadLetters(filter),
      show: load,

      async redrive(target, actor) {
        const done: DeadLetter[] = [];
        for (const id of await targets(target)) {
          const result = await redriveOne(id, actor, typeof target === 'string');
          if (result.changed || typeof target === 'string') done.push(result.deadLetter);
        }
        return done;
      },

      async edit(id, payload, actor) {
        const current = await load(id);
        if (!(ACTIVE as ReadonlyArray<string>).includes(current.status)) {
          throw new ParleyError(
            'NOT_EDITABLE',
            `dead letter ${id} is ${current.status}; only parked or retrying ones can be edited`,
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
        const afterText = JSON.stringify(validated) ?? 'null';
        const before = parseOr(current.message.payload);
        if (actor.dryRun === true) return { deadLetter: current, before, after: validated };
        const { deadLetter } = await change(id, (latest, now) => {
          if (latest.version !== current.version)
            throw new ParleyError('CHANGED', `dead letter ${id} changed meanwhile; look again`);
          const edit = {
            at: new Date(now).toISOString(),
            by: actor.by,
            ...(actor.reason === undefined ? {} : { reason: actor.reason }),
            before: latest.message.payload,
            after: afterText,
          };
          return deadLetterChange(
            latest,
            {
              ...latest,
              message: { ...latest.message, payload: afterText },
              edits: [...latest.edits, edit],
              status: 'redriven',
              action: 'retry',
              dueAt: now,
              attempts: 0,
            },
            {
              type: 'DeadLetterEdited',
              data: {
                by: actor.by,
                reason: actor.reason ?? null,
                before: latest.message.payload,
                after: afterText,
              },
            },
            now,
          );
        });
        return { deadLetter, before, after: validated };
      },

      async discard(target, actor) {
        const done: DeadLetter[] = [];
        for (const id of await targets(target)) {
          const result = await discardOne(id, actor, typeof target === 'string');
          if (result.changed || typeof target === 'string') done.push(result.deadLetter);
        }
        return done;
      },

      async skipHead(consumer, key, actor) {
        const heads = await store.listDeadLetters({
          consumer,
          key,
          status: [...ACTIVE, 'redriven'],
          limit: 1000,
        });
        const head = heads.find(
          (d) => d.action !== null || (ACTIVE as ReadonlyArray<string>).includes(d.status),
        );
        if (head === undefined)
          throw new ParleyError(
            'NOT_FOUND',
            `consumer ${consumer} has no parked message at the head of key ${key}`,
          );
        return (await discardOne(head.id, actor, true)).deadLetter;
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
          const partitions = (await lagOf(group.source, group.positions, topics, bus, store)).map((p) => ({
            ...p,
            // Messages handled out of order above the checkpoint are done: they are not lag.
            lag: p.lag === null ? null : Math.max(0, p.lag - (doneAbove.get(p.partition) ?? 0)),
          }));
          const parked = group.source === '' ? [] : await store.loadParkedKeys(group.consumer, group.source);
          const counts = await countByStatus(store, group.consumer);
          const lags = partitions.map((p) => p.lag);
          infos.push({
            name: group.consumer,
            source: group.source,
            status: state?.paused === true ? 'paused' : 'running',
            reason: state?.reason ?? null,
            lag: lags.some((l) => l === null) ? null : lags.reduce<number>((sum, l) => sum + (l ?? 0), 0),
            partitions,
            parkedKeys: parked.map((p) => p.key),
            deadLetters: counts,
          });
        }
        return infos.sort((a, b) => a.name.localeCompare(b.name));
      },

      async pause(consumer, actor) {
        const reason = actor.reason ?? `paused by ${actor.by}`;
        await store.commit({
          ...emptyChange,
          consumerStates: [
            { consumer, paused: true, reason, updatedAt: new Date(clock.now()).toISOString() },
          ],
        });
      },

      async resume(consumer, actor) {
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

async function lagOf(
  source: string,
  positions: Map<number, number>,
  topics: ReadonlyArray<{ name: string; partitions: number }> | undefined,
  bus: Bus | undefined,
  store: Store,
): Promise<Array<{ partition: number; position: number; lag: number | null }>> {
  if (source.startsWith('entity:')) {
    const position = positions.get(0) ?? 0;
    return [
      { partition: 0, position, lag: await store.countEventsAfter(source.slice('entity:'.length), position) },
    ];
  }
  const topic = topics?.find((t) => t.name === source);
  if (topic === undefined || bus === undefined) {
    return [...positions].map(([partition, position]) => ({ partition, position, lag: null }));
  }
  return Promise.all(
    Array.from({ length: topic.partitions }, async (_, partition) => {
      const position = positions.get(partition) ?? 0;
      return { partition, position, lag: await bus.countAfter(topic.name, partition, position) };
    }),
  );
}

/** Dead letters read per query when counting them. */
const COUNT_PAGE = 1000;

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
