import type { Delivered } from '../envelope/Envelope.ts';
import { isConcurrencyError, type ConcurrencyError } from '../errors/ConcurrencyError.ts';
import { ensureError } from '../errors/ensureError.ts';
import type { TypedEmitter } from '../events/TypedEmitter.ts';
import type { ServiceEvents } from '../events/ServiceEvents.ts';
import type { Logger } from '../logging/Logger.ts';
import type { Change, CheckpointWrite } from '../ports/Change.ts';
import type { ServiceInternals } from '../service/ServiceInternals.ts';
import { Signal } from '../concurrency/Signal.ts';
import type { ConsumerSource, SourceRecord } from './ConsumerSource.ts';
import type { ConsumerDefinition, Handler } from './defineConsumer.ts';
import { PartitionProgress } from './PartitionProgress.ts';
import { ResourceLocks } from './ResourceLocks.ts';
import { UnitOfWork, type UnitEffects } from './UnitOfWork.ts';

interface Item {
  readonly partition: number;
  readonly record: SourceRecord;
}

interface Lane {
  readonly key: string;
  readonly epoch: number;
  readonly queue: Item[];
  active: boolean;
}

interface ReadyUnit {
  readonly partition: number;
  readonly position: number;
  readonly unit: UnitOfWork | undefined;
  readonly effects: UnitEffects | undefined;
}

/** How long an idle fetcher waits for a wake-up before looking again. */
const IDLE_WAIT_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Runs one consumer: fetches from its source, hands each message to the lane of its key (one message at a time
 * per key, up to `concurrency` keys at once), and commits finished units of work with the checkpoint in group
 * commits. The fetcher reads ahead up to `maxInFlight` messages, so a slow key never holds the others.
 */
export class ConsumerRuntime {
  private epoch = 0;
  private partitions: PartitionProgress[] = [];
  private lanes = new Map<string, Lane>();
  private waitingLanes: Lane[] = [];
  private activeLanes = 0;
  private ready: ReadyUnit[] = [];
  private locks = new ResourceLocks();
  private inFlight = 0;
  private nextUnit = 1;
  private readonly readySignal = new Signal();
  private readonly capacitySignal = new Signal();
  private readonly idleSignal = new Signal();
  private readonly fetchAbort = new AbortController();
  private readonly handlerAbort = new AbortController();
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly logger: Logger;

  constructor(
    private readonly definition: ConsumerDefinition,
    private readonly source: ConsumerSource,
    private readonly internals: ServiceInternals,
    private readonly events: TypedEmitter<ServiceEvents>,
  ) {
    this.logger = internals.logger.child({ consumer: definition.name, source: source.name });
  }

  get name(): string {
    return this.definition.name;
  }

  async start(): Promise<void> {
    await this.loadCursor();
    this.loops = [this.fetchLoop(), this.commitLoop()];
    this.logger.debug({ partitions: this.partitions.length }, 'consumer started');
  }

  /**
   * Stops fetching, lets handlers that are running finish (at most `timeoutMs`, then their signal aborts and
   * their work is abandoned), commits what finished, and returns. Messages not yet started are left for the
   * next run.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.stopping) return Promise.all(this.loops).then(() => undefined);
    this.stopping = true;
    this.fetchAbort.abort();
    for (const lane of this.lanes.values()) lane.queue.length = 0;
    this.waitingLanes = [];
    const deadline = this.internals.clock.now() + timeoutMs;
    while (this.activeLanes > 0 && this.internals.clock.now() < deadline) {
      await this.idleSignal.wait(Math.max(1, deadline - this.internals.clock.now()));
    }
    if (this.activeLanes > 0) {
      this.logger.warn(
        { running: this.activeLanes },
        'handlers still running at shutdown: their work is abandoned',
      );
      this.epoch++;
      this.activeLanes = 0;
      this.handlerAbort.abort();
    }
    this.readySignal.notify();
    await Promise.all(this.loops);
    this.logger.debug({}, 'consumer stopped');
  }

  /** Messages fetched and not yet committed. */
  get pending(): number {
    return this.inFlight;
  }

  /** Committed position per partition, for lag. */
  checkpoints(): Array<{ partition: number; position: number }> {
    return this.partitions.map((p) => ({ partition: p.partition, position: p.checkpoint }));
  }

  private async loadCursor(): Promise<void> {
    const cursor = await this.internals.store.loadCursor(this.definition.name, this.source.name);
    const byPartition = new Map(cursor.map((c) => [c.partition, c]));
    this.partitions = Array.from(
      { length: this.source.partitions },
      (_, partition) => new PartitionProgress(partition, byPartition.get(partition)),
    );
  }

  // ---- fetching -------------------------------------------------------------------------------------------

  private async fetchLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      if (this.inFlight >= this.definition.maxInFlight) {
        await this.capacitySignal.wait(IDLE_WAIT_MS, this.fetchAbort.signal);
        continue;
      }
      const epoch = this.epoch;
      let fetched = 0;
      // Wait first, read second: a publish landing between an empty read and the wait still wakes us.
      const round = new AbortController();
      const wake = this.source
        .wait(IDLE_WAIT_MS, AbortSignal.any([this.fetchAbort.signal, round.signal]))
        .catch(() => {});
      try {
        for (const progress of this.partitions) {
          const room = this.definition.maxInFlight - this.inFlight;
          if (room <= 0 || this.stopping) break;
          const limit = Math.min(this.definition.batchSize, room);
          const records = await this.source.read(progress.partition, progress.fetchedTo, limit);
          if (epoch !== this.epoch || this.stopping) break;
          for (const record of records) {
            if (!progress.track(record.position)) continue;
            this.inFlight++;
            this.dispatch({ partition: progress.partition, record });
          }
          fetched += records.length;
        }
        failures = 0;
      } catch (error) {
        round.abort();
        failures++;
        this.logger.error({ err: ensureError(error), failures }, 'fetch failed; retrying');
        await this.sleep(backoff(failures), this.fetchAbort.signal);
        continue;
      }
      if (fetched === 0) await wake;
      else round.abort();
    }
  }

  private dispatch(item: Item): void {
    const key = item.record.key;
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { key, epoch: this.epoch, queue: [], active: false };
      this.lanes.set(key, lane);
    }
    lane.queue.push(item);
    if (!lane.active && !this.waitingLanes.includes(lane)) this.schedule(lane);
  }

  private schedule(lane: Lane): void {
    if (this.activeLanes < this.definition.concurrency) {
      lane.active = true;
      this.activeLanes++;
      void this.runLane(lane);
    } else {
      this.waitingLanes.push(lane);
    }
  }

  // ---- handling -------------------------------------------------------------------------------------------

  private async runLane(lane: Lane): Promise<void> {
    try {
      for (;;) {
        const item = lane.queue.shift();
        if (item === undefined || lane.epoch !== this.epoch) break;
        await this.handle(lane, item);
      }
    } catch (error) {
      // handle() contains every handler error; reaching here is a bug in the runtime itself.
      this.logger.error({ err: ensureError(error), key: lane.key }, 'consumer lane crashed');
    } finally {
      if (lane.epoch === this.epoch) {
        lane.active = false;
        this.activeLanes--;
        if (lane.queue.length === 0) this.lanes.delete(lane.key);
        else this.waitingLanes.push(lane);
        const next = this.waitingLanes.shift();
        if (next !== undefined && !this.stopping) {
          next.active = true;
          this.activeLanes++;
          void this.runLane(next);
        }
      }
      if (this.activeLanes === 0) this.idleSignal.notify();
    }
  }

  /** Handles one message until it succeeds, is found invalid, or the consumer rewinds or stops. */
  private async handle(lane: Lane, item: Item): Promise<void> {
    const epoch = lane.epoch;
    let message: Delivered;
    try {
      message = await this.source.decode(item.partition, item.record);
    } catch (error) {
      const err = ensureError(error);
      this.logger.error(
        { err, partition: item.partition, position: item.record.position },
        'invalid message skipped',
      );
      this.events.emit('consumer:invalid', {
        consumer: this.definition.name,
        source: this.source.name,
        partition: item.partition,
        position: item.record.position,
        error: err,
      });
      this.finish(epoch, item, undefined, undefined);
      return;
    }
    const handler = this.handlerFor(message.type);
    if (handler === undefined) {
      this.finish(epoch, item, undefined, undefined);
      return;
    }
    for (let attempt = 1; epoch === this.epoch; attempt++) {
      const unit = new UnitOfWork(this.nextUnit++, lane.key, message, {
        consumer: this.definition.name,
        internals: this.internals,
        locks: this.locks,
        logger: this.logger,
        signal: this.handlerAbort.signal,
        isCurrent: () => epoch === this.epoch,
      });
      try {
        await handler(message, unit);
        const effects = await unit.seal();
        if (unit.deadlocked) throw new Error('deadlock swallowed by the handler');
        if (epoch !== this.epoch) return;
        this.locks.finished(unit.id, unit.touched);
        this.finish(epoch, item, unit, effects);
        return;
      } catch (error) {
        this.locks.discarded(unit.id, unit.touched);
        if (epoch !== this.epoch) return;
        if (unit.deadlocked) {
          await this.sleep(1 + Math.random() * 5 * attempt, this.handlerAbort.signal);
          continue;
        }
        const err = ensureError(error);
        this.events.emit('consumer:failed', {
          consumer: this.definition.name,
          messageId: message.id,
          type: message.type,
          key: message.key,
          attempt,
          error: err,
        });
        this.logger.warn(
          { err, messageId: message.id, type: message.type, key: message.key, attempt },
          'handler failed; retrying',
        );
        if (this.stopping) return;
        await this.sleep(backoff(attempt), this.handlerAbort.signal);
        if (this.stopping) return;
      }
    }
  }

  private handlerFor(type: string): Handler<Delivered> | undefined {
    const handle = this.definition.handle;
    return typeof handle === 'function' ? handle : handle[type];
  }

  private finish(
    epoch: number,
    item: Item,
    unit: UnitOfWork | undefined,
    effects: UnitEffects | undefined,
  ): void {
    if (epoch !== this.epoch) return;
    this.partitions[item.partition]?.ready(item.record.position);
    this.ready.push({ partition: item.partition, position: item.record.position, unit, effects });
    this.readySignal.notify();
  }

  // ---- committing -----------------------------------------------------------------------------------------

  private async commitLoop(): Promise<void> {
    let failures = 0;
    for (;;) {
      if (this.ready.length === 0) {
        if (this.stopping && this.activeLanes === 0) return;
        await this.readySignal.wait(IDLE_WAIT_MS);
        continue;
      }
      // Let other lanes finish what is already under way, so one commit carries many messages.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const batch = this.ready;
      this.ready = [];
      const plans = this.plan(batch);
      try {
        await this.internals.store.commit(plans.change);
        failures = 0;
      } catch (error) {
        for (const [partition, positions] of plans.positions) this.partitions[partition]?.revert(positions);
        if (isConcurrencyError(error)) {
          await this.rewind(error);
          continue;
        }
        failures++;
        this.ready = batch.concat(this.ready);
        this.logger.error(
          { err: ensureError(error), failures, messages: batch.length },
          'commit failed; retrying',
        );
        await this.sleep(backoff(failures));
        continue;
      }
      this.confirm(batch, plans);
    }
  }

  private plan(batch: ReadonlyArray<ReadyUnit>): {
    change: Change;
    positions: Map<number, number[]>;
    writes: Map<number, CheckpointWrite | undefined>;
  } {
    const positions = new Map<number, number[]>();
    const appends: Change['appends'][number][] = [];
    const commands: Change['commands'][number][] = [];
    const outgoing: Change['outgoing'][number][] = [];
    const documents: Change['documents'][number][] = [];
    for (const ready of batch) {
      let list = positions.get(ready.partition);
      if (list === undefined) positions.set(ready.partition, (list = []));
      list.push(ready.position);
      const effects = ready.effects;
      if (effects === undefined) continue;
      for (const append of effects.appends) appends.push(append);
      for (const command of effects.commands) commands.push(command);
      for (const message of effects.outgoing) outgoing.push(message);
      for (const document of effects.documents) documents.push(document);
    }
    const writes = new Map<number, CheckpointWrite | undefined>();
    const checkpoints: CheckpointWrite[] = [];
    for (const [partition, list] of positions) {
      const write = this.partitions[partition]?.plan(this.definition.name, this.source.name, list);
      writes.set(partition, write);
      if (write !== undefined) checkpoints.push(write);
    }
    return { change: { appends, commands, outgoing, documents, checkpoints }, positions, writes };
  }

  private confirm(
    batch: ReadonlyArray<ReadyUnit>,
    plans: { positions: Map<number, number[]>; writes: Map<number, CheckpointWrite | undefined> },
  ): void {
    for (const [partition, positions] of plans.positions) {
      this.partitions[partition]?.confirm(plans.writes.get(partition), positions);
    }
    for (const ready of batch) {
      const unit = ready.unit;
      if (unit === undefined) continue;
      this.locks.committed(unit.id, unit.touched, (key) => {
        const written = unit.snapshots.get(key);
        if (written !== undefined)
          this.internals.cacheSnapshot(written.entity, written.entityId, written.snapshot);
      });
    }
    this.inFlight -= batch.length;
    this.capacitySignal.notify();
    this.internals.committed();
    this.events.emit('consumer:committed', {
      consumer: this.definition.name,
      source: this.source.name,
      messages: batch.length,
    });
  }

  /**
   * Someone else wrote what we read: drop all uncommitted work, reload the checkpoint and read again from there.
   * Handlers still running see their context closed and their results are ignored.
   */
  private async rewind(error: ConcurrencyError): Promise<void> {
    this.epoch++;
    const conflict = error.conflict;
    this.logger.warn({ conflict }, 'commit conflict; redoing uncommitted work from the checkpoint');
    this.events.emit('consumer:rewound', { consumer: this.definition.name, conflict });
    if (conflict.kind === 'stream') this.internals.evictSnapshot(conflict.entity, conflict.entityId);
    this.locks.clear();
    this.lanes = new Map();
    this.waitingLanes = [];
    this.activeLanes = 0;
    this.ready = [];
    this.inFlight = 0;
    for (let failures = 1; ; failures++) {
      try {
        await this.loadCursor();
        break;
      } catch (loadError) {
        this.logger.error({ err: ensureError(loadError) }, 'reloading the checkpoint failed; retrying');
        await this.sleep(backoff(failures));
      }
    }
    this.capacitySignal.notify();
  }

  private async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.internals.clock.sleep(ms, signal);
    } catch {
      // Aborted: the caller checks why.
    }
  }
}

function backoff(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(attempt, 20));
  return base / 2 + Math.random() * (base / 2);
}
