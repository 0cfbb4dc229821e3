import {
  createAdmin,
  createService,
  silentLogger,
  whenAllIdle,
  type Bus,
  type Clock,
  type DeadLetter,
  type DeadLetterFilter,
  type EntityDefinition,
  type Logger,
  type MessageHeaders,
  type PublishInput,
  type SchemaMap,
  type Service,
  type Store,
  type TimerRecord,
  type TopicDefinition,
} from '@parley/core';
import { createMemoryBackend } from '../memory/createMemoryBackend.ts';
import { runInVirtualTime } from '../simulation/runInVirtualTime.ts';
import { SeededRandom } from '../simulation/SeededRandom.ts';
import { VirtualClock } from '../simulation/VirtualClock.ts';

/** What the service under test is built from: give all of them to `createService` (or to your own factory). */
export interface SpecDependencies {
  readonly store: Store;
  readonly bus: Bus;
  readonly logger: Logger;
  /** Virtual time: the service's sleeps, timeouts and timers move only as the spec drives them. */
  readonly clock: Clock;
}

/** A message as it was published on a topic, its payload parsed. */
export interface PublishedMessage {
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly payload: unknown;
  readonly headers: MessageHeaders;
}

export interface ServiceSpecOptions {
  /** @default silentLogger: failures the test provokes on purpose stay quiet */
  readonly logger?: Logger;
  /** How long {@link ServiceSpec.idle} waits (in virtual time) before it fails, naming what is busy. @default 10000 */
  readonly idleTimeoutMs?: number;
  /** Seeds the virtual clock's chance (jitter, ids). @default 1 */
  readonly seed?: number;
}

/**
 * A running service under test on an in-memory backend: hand it messages, wait until it has nothing left to do,
 * then look at what it did — events, published messages, replies, dead letters, timers.
 */
export interface ServiceSpec<S extends Service = Service> {
  readonly service: S;
  readonly store: Store;
  readonly bus: Bus;
  /** Publishes messages to a topic, as another service would (through its outbox). */
  given<M extends SchemaMap>(
    topic: TopicDefinition<M>,
    messages: PublishInput<M> | ReadonlyArray<PublishInput<M>>,
  ): Promise<void>;
  /** Resolves once the service and the publisher of `given` are both idle (see `whenAllIdle`), in virtual time. */
  idle(): Promise<void>;
  /**
   * Moves virtual time forward by `ms` — delayed retries, scheduled messages and timeouts due meanwhile fire —
   * then waits until idle again.
   */
  advance(ms: number): Promise<void>;
  /** The virtual time now, in ms since the epoch. */
  now(): number;
  /** Everything on `topic` (every partition, in publish order per partition), payloads parsed. */
  published(topic: TopicDefinition | string): Promise<PublishedMessage[]>;
  /** The dead letters of the service's consumers. */
  deadLetters(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  /** Timers not fired yet: delayed retries and scheduled messages. */
  timers(): Promise<TimerRecord[]>;
  /** An entity's state as the service sees it. */
  load<St, C extends SchemaMap, E extends SchemaMap, R extends string>(
    entity: EntityDefinition<St, C, E, R>,
    entityId: string,
  ): Promise<St>;
  /** Stops the service and closes the backend. */
  close(): Promise<void>;
}

/**
 * Starts the service `build` makes on a fresh in-memory backend, for a test of its consumers, replies and
 * escalations with the real runtime — no mocks, no files.
 *
 * @example
 * const spec = await serviceSpec((dependencies) => createWalletService({ ...dependencies, config }));
 * await spec.given(showEvents, { type: 'SeatReserved', key: 'r-1', payload: { … } });
 * await spec.idle();
 * expect((await spec.published(walletEvents)).map((m) => m.type)).toEqual(['WalletCharged']);
 * await spec.close();
 */
export async function serviceSpec<S extends Service>(
  build: (dependencies: SpecDependencies) => S | Promise<S>,
  options: ServiceSpecOptions = {},
): Promise<ServiceSpec<S>> {
  const logger = options.logger ?? silentLogger;
  const clock = new VirtualClock(new SeededRandom(options.seed ?? 1));
  const run = <T>(work: Promise<T>): Promise<T> => runInVirtualTime(clock, work);
  const backend = createMemoryBackend({ name: 'spec', clock });
  const own = await backend.open({ service: 'under-test' });
  const outside = await backend.open({ service: 'spec-publisher' });
  const service = await build({ store: own.store, bus: own.bus, logger, clock });
  const publisher = createService({
    name: 'spec-publisher',
    store: outside.store,
    bus: outside.bus,
    logger,
    clock,
  });
  await run(service.start());
  await run(publisher.start());
  const admin = createAdmin({ store: own.store, bus: own.bus, clock });
  const everything = Number.MAX_SAFE_INTEGER;
  const idle = () =>
    run(whenAllIdle([service, publisher], { clock, timeoutMs: options.idleTimeoutMs ?? 10_000 }));
  return {
    service,
    store: own.store,
    bus: own.bus,
    given: (topic, messages) => run(publisher.publish(topic, messages)),
    idle,
    async advance(ms) {
      await run(clock.sleep(ms));
      await idle();
    },
    now: () => clock.now(),
    async published(topic) {
      const name = typeof topic === 'string' ? topic : topic.name;
      const info = (await own.bus.listTopics()).find((t) => t.name === name);
      const out: PublishedMessage[] = [];
      for (let partition = 0; partition < (info?.partitions ?? 0); partition++) {
        for (const record of await own.bus.read(name, partition, 0, 100_000)) {
          out.push({
            id: record.id,
            type: record.type,
            key: record.key,
            payload: JSON.parse(record.payload) as unknown,
            headers: record.headers,
          });
        }
      }
      return out;
    },
    deadLetters: (filter) => admin.deadLetters.list(filter),
    timers: () => own.store.dueTimers(everything, 10_000),
    async load(entity, entityId) {
      return (await service.load(entity, entityId)).state;
    },
    async close() {
      await run(service.stop());
      await run(publisher.stop());
      await backend.dispose();
    },
  };
}
