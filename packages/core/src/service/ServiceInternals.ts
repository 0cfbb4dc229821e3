import type { Change } from '../ports/Change.ts';
import type { Clock } from '../clock/Clock.ts';
import type { AnyEntity } from '../entity/defineEntity.ts';
import type { Snapshot } from '../entity/EntityCache.ts';
import type { EntityPublication } from '../entity/publishTo.ts';
import type { Logger } from '../logging/Logger.ts';
import type { Bus, TopicSpec } from '../ports/Bus.ts';
import type { Store } from '../ports/Store.ts';
import type { TopicDefinition } from '../topic/defineTopic.ts';
import type { ResourceLocks } from '../consumer/ResourceLocks.ts';
import type { WorkflowRuntime } from '../workflow/WorkflowRuntime.ts';

/** What a service shares with its consumers and relay. */
export interface ServiceInternals {
  readonly name: string;
  readonly store: Store;
  readonly bus: Bus;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * The last committed state of a stream: from the cache, else folded from the store. With `fresh`, events
   * committed by other processes since the cached version are folded in first. A cache hit comes back at once,
   * not as a promise.
   */
  loadSnapshot(
    entity: AnyEntity,
    entityId: string,
    options?: { fresh?: boolean },
  ): Snapshot | Promise<Snapshot>;
  /** Caches a committed state. */
  cacheSnapshot(entity: string, entityId: string, snapshot: Snapshot): void;
  /** Forgets a cached state (after a conflict). */
  evictSnapshot(entity: string, entityId: string): void;
  /**
   * Forgets every cached state: this process took over partitions, whose streams other processes may have moved
   * on meanwhile (each stale state would cost a conflict and a rewind).
   */
  forgetSnapshots(): void;
  /** Publications of a registered entity; throws when the entity is not registered with the service. */
  publicationsOf(entity: AnyEntity): ReadonlyArray<EntityPublication>;
  /** Creates the topic on the bus once per process. */
  ensureTopic(topic: TopicDefinition): Promise<void>;
  /** The bus's description of a topic this process may not have declared (a reply topic); cached. */
  topicSpec(name: string): Promise<TopicSpec>;
  /** Isolation between the lanes of all the service's consumers and its direct command calls. */
  readonly locks: ResourceLocks;
  /** A fresh unit-of-work id, unique in the service. */
  nextUnitId(): number;
  /** The service's workflows, once one is registered. */
  workflowRuntime(): WorkflowRuntime | undefined;
  /**
   * A change of this process committed: counts the messages it wrote for sending (the OpenTelemetry counter and
   * `messages:sent`) and wakes the timer loop when it scheduled timers.
   */
  committed(change: Pick<Change, 'timers' | 'outgoing'>): void;
}
