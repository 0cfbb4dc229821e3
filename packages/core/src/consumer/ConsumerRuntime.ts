import type { Clock } from '../clock/Clock.ts';
import { ParleyError } from '../errors/ParleyError.ts';
import { recordCommit } from '../telemetry/messagingMetrics.ts';
import { holdsItsKey } from '../deadletter/deadLetterLifecycle.ts';
import type { Delivered } from '../envelope/Envelope.ts';
import { RoundSignals } from '../concurrency/RoundSignals.ts';
import { Signal } from '../concurrency/Signal.ts';
import { SignalFanout } from '../concurrency/SignalFanout.ts';
import { isConcurrencyError, type ConcurrencyError } from '../errors/ConcurrencyError.ts';
import { ensureError } from '../errors/ensureError.ts';
import type { TypedEmitter } from '../events/TypedEmitter.ts';
import type { ServiceEvents } from '../events/ServiceEvents.ts';
import type { Logger } from '../logging/Logger.ts';
import type { DeadLetter } from '../ports/DeadLetter.ts';
import type { ServiceInternals } from '../service/ServiceInternals.ts';
import type { ConsumerSource } from './ConsumerSource.ts';
import type { ConsumerDefinition } from './defineConsumer.ts';
import { MessageProcessor, type LaneItem, type ProcessorHost, type ReadyUnit } from './MessageProcessor.ts';
import { ParkedKeys } from './ParkedKeys.ts';
import { PartitionProgress } from './PartitionProgress.ts';
import { planCommit, type CommitPlan } from './planCommit.ts';
import { drainParkedKey } from './drainParkedKey.ts';
import { KeyLanes, type Lane } from './KeyLanes.ts';
import type { ResourceLocks } from './ResourceLocks.ts';
import { StormGuard } from './StormGuard.ts';
import { ReadAhead } from './ReadAhead.ts';
import { PartitionBalancer } from './PartitionBalancer.ts';
import type { LeaseStore } from '../ports/LeaseStore.ts';

/** How a consumer shares its partitions with the other instances of its service. */
export interface ConsumerPlacement {
  /** Where the leases live; undefined: this instance owns every partition. */
  readonly leases: LeaseStore | undefined;
  readonly instance: string;
  readonly leaseTtlMs: number;
}
import { UnitOfWork } from './UnitOfWork.ts';
import { ConsumerSampler } from './ConsumerSampler.ts';

/** How long an idle loop waits for a wake-up before looking again. */
const IDLE_WAIT_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** Shortest interval between two looks at dead letters and consumer state. */
const CONTROL_MIN_MS = 25;
/** Longest: how soon an operator's action in another process is seen. */
const CONTROL_POLL_MS = 250;
/** How often the group's progress is reported to the bus for the retention guard. */
const PROGRESS_EVERY_MS = 1000;

/**
 * Runs one consumer: fetches from its source, hands each message to the lane of its key (one message at a time
 * per key, up to `concurrency` keys at once), and commits finished units of work with the checkpoint in group
 * commits. The fetcher reads ahead up to `maxInFlight` messages and `readAheadBytes` of payload, so a slow key
 * never holds the others and a backlog of large messages never fills the heap. A key
 * whose message waits for a retry or an operator is parked: its later messages join its parked queue, in
 * order, while every other key flows; when the head is handled (or dropped) the queue drains and the key is free.
 */
export class ConsumerRuntime implements ProcessorHost {
  epoch = 0;
  stopping = false;
  readonly logger: Logger;
  /** Progress of the partitions this instance owns (undefined for the others). */
  private partitions: Array<PartitionProgress | undefined> = [];
  private owned = new Set<number>();
  private readonly balancer: PartitionBalancer | undefined;
  private readonly reported = new Map<number, number>();
  private lastReport = 0;
  private readonly lanes: KeyLanes;
  private ready: ReadyUnit[] = [];
  private inFlight = 0;
  /** Bytes of payload fetched and not yet committed: the fetcher stops at `readAheadBytes`. */
  private readonly readAhead: ReadAhead;
  private readonly parked: ParkedKeys;
  private readonly drains = new Set<Promise<void>>();
  private readonly processor: MessageProcessor;
  private readonly stormGuard: StormGuard | undefined;
  private paused = false;
  /** A pause decided here whose state has not committed yet: the store's word must not undo it. */
  private pausePending = false;
  private readonly readySignal: Signal;
  private readonly capacitySignal: Signal;
  private readonly idleSignal: Signal;
  private readonly controlSignal: Signal;
  private readonly resumeSignal: Signal;
  /**
   * The epoch whose checkpoints and parked keys are loaded. A reset starts a new epoch before it reloads them;
   * until they are in, fetching and the control loop wait, or they would work from the previous epoch's state.
   */
  private loadedEpoch = -1;
  private readonly loadedSignal: Signal;
  private readonly fetchAbort = new AbortController();
  private readonly handlerAbort = new AbortController();
  private readonly handlerSignals = new SignalFanout(this.handlerAbort.signal);
  private readonly fetchRounds = new RoundSignals(this.fetchAbort.signal);
  private loops: Promise<void>[] = [];
  /** Lane names in the service-wide locks: this consumer's, for each key. */
  private readonly lanePrefix: string;
  /** Throughput and lag samples for operators; undefined when the service samples nothing. */
  private readonly sampler: ConsumerSampler | undefined;

  constructor(
    readonly definition: ConsumerDefinition,
    readonly source: ConsumerSource,
    private readonly internals: ServiceInternals,
    readonly events: TypedEmitter<ServiceEvents>,
    placement: ConsumerPlacement = { leases: undefined, instance: 'single', leaseTtlMs: 10_000 },
    /** How often throughput and lag are sampled into the store; undefined: never. */
    sampleIntervalMs?: number,
  ) {
    this.logger = internals.logger.child({ consumer: definition.name, source: source.name });
    const clock = internals.clock;
    this.readySignal = new Signal(clock);
    this.capacitySignal = new Signal(clock);
    this.idleSignal = new Signal(clock);
    this.controlSignal = new Signal(clock);
    this.resumeSignal = new Signal(clock);
    this.loadedSignal = new Signal(clock);
    this.parked = new ParkedKeys(clock);
    this.lanePrefix = `${definition.name}\u0000`;
    this.readAhead = new ReadAhead(definition.readAheadBytes);
    this.processor = new MessageProcessor(this);
    this.lanes = new KeyLanes(
      definition.concurrency,
      (lane) => this.runLane(lane),
      () => this.idleSignal.notify(),
    );
    this.stormGuard = definition.stormGuard === undefined ? undefined : new StormGuard(definition.stormGuard);
    this.sampler =
      sampleIntervalMs === undefined
        ? undefined
        : new ConsumerSampler(
            {
              name: definition.name,
              source,
              owned: () => this.partitions.flatMap((p) => (p === undefined ? [] : [p])),
            },
            internals.store,
            internals.clock,
            this.logger,
            sampleIntervalMs,
          );
    this.balancer =
      placement.leases === undefined
        ? undefined
        : new PartitionBalancer(
            placement.leases,
            `${definition.name}/${source.name}`,
            source.partitions,
            placement.instance,
            internals.clock,
            placement.leaseTtlMs,
          );
  }

  get name(): string {
    return this.definition.name;
  }

  get clock() {
    return this.internals.clock;
  }

  get locks(): ResourceLocks {
    return this.internals.locks;
  }

  /** Messages fetched and not yet committed. */
  get pending(): number {
    return this.inFlight;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Keys currently blocked behind a parked message. */
  parkedKeys(): string[] {
    return this.parked.list();
  }

  /**
   * True when this instance has fetched everything in the partitions it owns, committed all of it, and has no
   * dead letter due now (a retry, redrive or discard). Delayed retries due later do not count. A paused or
   * stopped consumer counts as idle: it does nothing until resumed or started.
   */
  async isIdle(): Promise<boolean> {
    if (this.stopping) return true;
    if (this.paused) {
      // Paused counts as idle, but a resume an operator has made is work until this consumer notices it.
      if (this.pausePending) return true;
      const states = await this.internals.store.listConsumerStates();
      return states.find((s) => s.consumer === this.definition.name)?.paused ?? false;
    }
    // Reloading after a rewind: the partitions' progress is not known yet.
    const busy = () =>
      this.loadedEpoch !== this.epoch ||
      this.inFlight > 0 ||
      this.ready.length > 0 ||
      this.lanes.active > 0 ||
      this.drains.size > 0;
    if (busy()) return false;
    for (const progress of this.partitions) {
      if (progress === undefined) continue;
      if ((await this.source.endPosition(progress.partition)) > progress.fetchedTo) return false;
    }
    const due = await this.internals.store.nextDeadLetterDue(this.definition.name, this.source.name);
    return !busy() && (due === undefined || due > this.clock.now());
  }

  async start(): Promise<void> {
    this.owned =
      this.balancer === undefined
        ? new Set(Array.from({ length: this.source.partitions }, (_, p) => p))
        : await this.balancer.tick();
    await this.loadState();
    this.loops = [this.fetchLoop(), this.commitLoop(), this.controlLoop()];
    if (this.balancer !== undefined) this.loops.push(this.balanceLoop(this.balancer));
    this.sampler?.start();
    this.logger.debug(
      { partitions: this.partitions.length, parkedKeys: this.parked.size },
      'consumer started',
    );
  }

  /**
   * Stops fetching, lets handlers that are running finish (at most `timeoutMs`, then their signal aborts and
   * their work is abandoned), commits what finished, and returns. Messages not yet started are left for the
   * next run.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.stopping) {
      await Promise.all(this.loops);
      return;
    }
    this.stopping = true;
    this.fetchAbort.abort();
    this.resumeSignal.notify();
    this.controlSignal.notify();
    this.lanes.close();
    const deadline = this.clock.now() + timeoutMs;
    while ((this.lanes.active > 0 || this.drains.size > 0) && this.clock.now() < deadline) {
      await Promise.race([this.idleSignal.wait(Math.max(1, deadline - this.clock.now())), ...this.drains]);
    }
    if (this.lanes.active > 0 || this.drains.size > 0) {
      this.logger.warn(
        { running: this.lanes.active },
        'handlers still running at shutdown: their work is abandoned',
      );
      this.epoch++;
      this.lanes.reset();
      this.handlerAbort.abort();
    }
    this.readySignal.notify();
    await Promise.all(this.loops);
    await this.sampler?.stop();
    // Reports are at most once a second: without this one, the bus would show the group behind by whatever it
    // handled since its last report, and retention would hold those messages for it, until it runs again.
    await this.reportProgress({ force: true }).catch((error: unknown) => {
      this.logger.warn({ err: ensureError(error) }, 'reporting the final progress to the bus failed');
    });
    this.logger.debug({}, 'consumer stopped');
  }

  // ---- host services for the processor ---------------------------------------------------------------------

  newUnit(lane: string, message: Delivered, epoch: number): UnitOfWork {
    return new UnitOfWork(this.internals.nextUnitId(), this.lanePrefix + lane, message, {
      consumer: this.definition.name,
      internals: this.internals,
      locks: this.locks,
      logger: this.logger,
      signals: this.handlerSignals,
      group: this.lanePrefix,
      isCurrent: () => epoch === this.epoch,
    });
  }

  finish(epoch: number, ready: ReadyUnit): void {
    if (epoch !== this.epoch) return;
    if (ready.at !== undefined) this.partitions[ready.at.partition]?.ready(ready.at.position);
    if (ready.parkedKey !== undefined) this.parked.writePending(ready.parkedKey);
    // Every field present, in one order: thousands of units wait here, and objects built with spreads of optional
    // fields would each get a shape of their own (slower to read, larger to keep).
    const { at, unit, parts, onCommit, parkedKey } = ready;
    this.ready.push({ at, unit, parts, onCommit, parkedKey });
    this.readySignal.notify();
  }

  pause(reason: string, epoch: number): void {
    if (epoch !== this.epoch || this.paused) return;
    this.paused = true;
    this.pausePending = true;
    this.logger.error({ reason }, 'consumer paused');
    this.finish(epoch, {
      parts: {
        consumerStates: [
          {
            consumer: this.definition.name,
            paused: true,
            reason,
            updatedAt: new Date(this.clock.now()).toISOString(),
          },
        ],
      },
      onCommit: () => {
        this.pausePending = false;
        // Announced once the pause is stored, so whoever reacts (an operator resuming) acts on stored state.
        this.events.emit('consumer:paused', { consumer: this.definition.name, reason });
      },
    });
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const child = signal === undefined ? this.handlerSignals.child() : undefined;
    try {
      await this.clock.sleep(ms, signal ?? child?.signal);
    } catch {
      // Aborted: the caller checks why.
    } finally {
      child?.release();
    }
  }

  // ---- state ------------------------------------------------------------------------------------------------

  /** Loads checkpoints and parked keys; starts draining parked queues that have no dead letter at their head. */
  private async loadState(): Promise<void> {
    const epoch = this.epoch;
    const store = this.internals.store;
    const [cursor, parkedKeys, states] = await Promise.all([
      store.loadCursor(this.definition.name, this.source.name),
      store.loadParkedKeys(this.definition.name, this.source.name),
      store.listConsumerStates(),
    ]);
    // A newer reset began meanwhile: its own load is under way, and this one is already out of date.
    if (epoch !== this.epoch) return;
    const byPartition = new Map(cursor.map((c) => [c.partition, c]));
    this.partitions = Array.from({ length: this.source.partitions }, (_, partition) =>
      this.owned.has(partition) ? new PartitionProgress(partition, byPartition.get(partition)) : undefined,
    );
    const mine = parkedKeys.filter((k) => this.owned.has(k.partition));
    this.parked.reset(mine);
    this.paused = states.find((s) => s.consumer === this.definition.name)?.paused ?? false;
    for (const { key } of mine) {
      const heads = await store.listDeadLetters({
        consumer: this.definition.name,
        key,
        status: ['retrying', 'parked', 'redriven', 'discarded'],
        limit: 1000,
      });
      const waiting = heads.some((d) => d.message.source === this.source.name && holdsItsKey(d));
      // A queue without a dead letter at its head was left behind by a crash mid-drain: finish the drain.
      if (!waiting) this.startDrain(key, undefined);
    }
    if (epoch !== this.epoch) return;
    this.loadedEpoch = epoch;
    this.loadedSignal.notify();
  }

  /** False (after a short wait) while a reset is reloading the state the loops work from. */
  private async stateLoaded(): Promise<boolean> {
    if (this.loadedEpoch === this.epoch) return true;
    await this.loadedSignal.wait(IDLE_WAIT_MS, this.fetchAbort.signal);
    return false;
  }

  // ---- fetching ---------------------------------------------------------------------------------------------

  private async fetchLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      if (!(await this.stateLoaded())) continue;
      if (this.paused) {
        await this.resumeSignal.wait(IDLE_WAIT_MS, this.fetchAbort.signal);
        continue;
      }
      if (this.inFlight >= this.definition.maxInFlight || this.readAhead.room <= 0) {
        await this.capacitySignal.wait(IDLE_WAIT_MS, this.fetchAbort.signal);
        continue;
      }
      const epoch = this.epoch;
      let fetched = 0;
      // A reset in the middle of the round: read again at once, from the reloaded state.
      let interrupted = false;
      // Wait first, read second: a publish landing between an empty read and the wait still wakes us.
      const round = this.fetchRounds.next();
      const wake = this.source.wait(IDLE_WAIT_MS, round.signal).catch(() => {});
      try {
        for (const progress of this.partitions) {
          if (progress === undefined) continue;
          const room = this.definition.maxInFlight - this.inFlight;
          const roomBytes = this.readAhead.room;
          if (room <= 0 || roomBytes <= 0 || this.stopping) break;
          // The read itself stops at the byte budget: a backlog of large messages is never loaded whole.
          const records = await this.source.read(
            progress.partition,
            progress.fetchedTo,
            Math.min(this.definition.batchSize, room),
            roomBytes,
          );
          if (epoch !== this.epoch || this.stopping) {
            interrupted = true;
            break;
          }
          for (const record of records) {
            if (!progress.track(record.position)) continue;
            this.inFlight++;
            this.readAhead.fetched(progress.partition, record.position, record.size);
            this.dispatch({ kind: 'source', partition: progress.partition, record });
          }
          fetched += records.length;
        }
        failures = 0;
      } catch (error) {
        round.end();
        failures++;
        this.logger.error({ err: ensureError(error), failures }, 'fetch failed; retrying');
        await this.sleep(backoff(failures, this.clock), this.fetchAbort.signal);
        continue;
      }
      if (fetched === 0 && !interrupted) await wake;
      round.end();
    }
  }

  private dispatch(item: LaneItem & { kind: 'source' }): void {
    const key = item.record.key;
    if (this.parked.isBlocked(key)) {
      this.parkBehind(key, item, this.epoch);
      return;
    }
    this.lanes.push(key, item, this.epoch);
  }

  /** A message of a blocked key joins the key's parked queue, committed with the checkpoint. */
  private parkBehind(key: string, item: LaneItem & { kind: 'source' }, epoch: number): void {
    this.parked.parkPending(key);
    this.finish(epoch, {
      at: { partition: item.partition, position: item.record.position },
      parts: {
        parks: [
          { consumer: this.definition.name, message: this.source.toParked(item.partition, item.record) },
        ],
      },
      onCommit: () => this.parked.parkCommitted(key),
    });
  }

  // ---- handling ---------------------------------------------------------------------------------------------

  private async runLane(lane: Lane): Promise<void> {
    try {
      for (;;) {
        while (this.paused && !this.stopping && lane.epoch === this.epoch)
          await this.resumeSignal.wait(IDLE_WAIT_MS);
        const item = lane.queue.shift();
        if (item === undefined || lane.epoch !== this.epoch) break;
        if (item.kind === 'parked') {
          // A replay (see replayInLane): in the key's turn, never parking it.
          const replayed = await this.processor.process(lane.key, item, lane.epoch);
          this.parked.replayDone(lane.key);
          if (replayed === 'abandoned') break;
          continue;
        }
        const outcome = await this.processor.process(lane.key, item, lane.epoch);
        if (outcome === 'abandoned') break;
        // Only dead-lettered keys count as poison: keys waiting for a delayed retry may well recover.
        this.recordForStormGuard(outcome === 'parked', lane.epoch);
        if (outcome === 'retrying' || outcome === 'parked') {
          // The key is parked: everything queued behind the failed message parks behind it, in order.
          this.parked.block(lane.key, item.partition);
          for (const queued of lane.queue.splice(0)) {
            if (queued.kind === 'source') this.parkBehind(lane.key, queued, lane.epoch);
            // A replay left out is still due: it runs beside the parked queue on the next look.
            else this.parked.replayDone(lane.key);
          }
          break;
        }
      }
    } catch (error) {
      // The processor contains every handler error; reaching here is a bug in the runtime itself.
      this.logger.error({ err: ensureError(error), key: lane.key }, 'consumer lane crashed');
    }
  }

  private recordForStormGuard(parked: boolean, epoch: number): void {
    const reason = this.stormGuard?.record(this.clock.now(), parked);
    if (reason !== undefined) this.pause(reason, epoch);
  }

  // ---- parked keys: retries, redrives, drains --------------------------------------------------------------

  /** Watches the store for due dead letters (retries, redrives, discards) and for pause/resume. */
  private async controlLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      if (!(await this.stateLoaded())) continue;
      try {
        const store = this.internals.store;
        const state = (await store.listConsumerStates()).find((s) => s.consumer === this.definition.name);
        if (!this.pausePending && (state?.paused ?? false) !== this.paused) {
          this.paused = state?.paused ?? false;
          if (this.paused) {
            this.events.emit('consumer:paused', {
              consumer: this.definition.name,
              reason: state?.reason ?? 'paused',
            });
          } else {
            this.stormGuard?.reset();
            this.resumeSignal.notify();
            this.events.emit('consumer:resumed', { consumer: this.definition.name });
          }
          this.logger.info(
            { paused: this.paused, reason: state?.reason },
            this.paused ? 'consumer paused' : 'consumer resumed',
          );
        }
        if (!this.paused) {
          const due = await store.dueDeadLetters(
            this.definition.name,
            this.source.name,
            this.clock.now(),
            64,
          );
          for (const deadLetter of due) {
            if (!this.owned.has(deadLetter.message.partition)) continue;
            const key = deadLetter.message.key;
            if (this.parked.isBusy(key)) continue;
            if (deadLetter.action === 'replay' && !this.parked.isBlocked(key)) this.replayInLane(deadLetter);
            else this.startDrain(key, deadLetter);
          }
        }
        await this.reportProgress();
        const next = await store.nextDeadLetterDue(this.definition.name, this.source.name);
        const wait =
          next === undefined
            ? CONTROL_POLL_MS
            : Math.min(CONTROL_POLL_MS, Math.max(0, next - this.clock.now()));
        failures = 0;
        // Woken early by this process (pokes, commits that touch dead letters); otherwise a cheap poll picks up
        // what operators do from other processes.
        await this.controlSignal.wait(Math.max(wait, CONTROL_MIN_MS), this.fetchAbort.signal);
      } catch (error) {
        failures++;
        this.logger.error({ err: ensureError(error), failures }, 'reading dead letters failed; retrying');
        await this.sleep(backoff(failures, this.clock), this.fetchAbort.signal);
      }
    }
  }

  /** Wakes the control loop (an operator acted on a dead letter in this process). */
  poke(): void {
    this.controlSignal.notify();
  }

  /**
   * A redriven message of no queue (escalated or skipped) whose key flows: it joins the key's lane like a message
   * arriving now, after those already there and before those that come next, and never parks the key. (When the
   * key is parked behind another head, it runs as a drain of its own that leaves that queue alone.)
   */
  private replayInLane(deadLetter: DeadLetter): void {
    const key = deadLetter.message.key;
    this.parked.replayQueued(key);
    this.lanes.push(key, { kind: 'parked', message: deadLetter.message, deadLetter }, this.epoch);
  }

  private startDrain(key: string, head: DeadLetter | undefined): void {
    this.parked.block(key, head?.message.partition ?? 0);
    this.parked.setDraining(key, true);
    const epoch = this.epoch;
    const drain: Promise<void> = this.drain(key, head, epoch)
      .catch((error: unknown) =>
        this.logger.error({ err: ensureError(error), key }, 'draining a parked key failed'),
      )
      .finally(() => {
        this.drains.delete(drain);
        if (epoch === this.epoch) this.parked.setDraining(key, false);
        this.idleSignal.notify();
      });
    this.drains.add(drain);
  }

  private drain(key: string, head: DeadLetter | undefined, epoch: number): Promise<void> {
    return drainParkedKey(
      {
        consumer: this.definition.name,
        source: this.source.name,
        store: this.internals.store,
        parked: this.parked,
        maxBytes: this.definition.readAheadBytes,
        signal: this.fetchAbort.signal,
        process: (item) => this.processor.process(key, item, epoch),
        live: async () => {
          while (this.paused && epoch === this.epoch && !this.stopping)
            await this.resumeSignal.wait(IDLE_WAIT_MS);
          return epoch === this.epoch && !this.stopping;
        },
      },
      key,
      head,
    );
  }

  // ---- committing -------------------------------------------------------------------------------------------

  private async commitLoop(): Promise<void> {
    let failures = 0;
    for (;;) {
      if (this.ready.length === 0) {
        if (this.stopping && this.lanes.active === 0 && this.drains.size === 0) return;
        await this.readySignal.wait(IDLE_WAIT_MS);
        continue;
      }
      // Let other lanes finish what is already under way, so one commit carries many messages.
      await this.clock.sleep(0);
      // Units of a partition this instance no longer owns are dropped: their effects must not commit without
      // their checkpoint (a reset normally clears them first).
      const batch: ReadyUnit[] = [];
      for (const ready of this.ready) {
        if (ready.at === undefined || this.partitions[ready.at.partition] !== undefined) batch.push(ready);
        else if (ready.unit) this.locks.discarded(ready.unit.id, ready.unit.touched);
      }
      this.ready = [];
      const plan = planCommit(batch, this.partitions, this.definition.name, this.source.name);
      let seconds: number;
      try {
        const started = performance.now();
        await this.internals.store.commit(plan.change);
        seconds = (performance.now() - started) / 1000;
        recordCommit(this.definition.name, this.source.name, seconds);
        failures = 0;
      } catch (error) {
        for (const [partition, positions] of plan.positions) this.partitions[partition]?.revert(positions);
        if (isConcurrencyError(error)) {
          await this.rewind(error);
          continue;
        }
        // The commit may have taken effect: the streams it wrote are no longer known, so forget their snapshots.
        for (const ready of batch)
          for (const written of ready.unit?.snapshots.values() ?? [])
            this.internals.evictSnapshot(written.entity, written.entityId);
        failures++;
        this.ready = batch.concat(this.ready);
        this.logger.error(
          { err: ensureError(error), failures, units: batch.length },
          'commit failed; retrying',
        );
        await this.sleep(backoff(failures, this.clock), undefined);
        continue;
      }
      this.confirm(batch, plan, seconds);
    }
  }

  private confirm(batch: ReadonlyArray<ReadyUnit>, plan: CommitPlan, seconds: number): void {
    for (const [partition, positions] of plan.positions) {
      this.partitions[partition]?.confirm(plan.writes.get(partition), positions);
      this.sampler?.count(partition, positions.length);
    }
    let messages = 0;
    for (const ready of batch) {
      if (ready.at !== undefined) {
        messages++;
        this.readAhead.committed(ready.at.partition, ready.at.position);
      }
      const unit = ready.unit;
      if (unit !== undefined) {
        this.locks.committed(unit.id, unit.touched, (key) => {
          const written = unit.snapshots.get(key);
          if (written !== undefined)
            this.internals.cacheSnapshot(written.entity, written.entityId, written.snapshot);
        });
      }
      ready.onCommit?.();
      if (ready.parkedKey !== undefined) this.parked.writeCommitted(ready.parkedKey);
    }
    this.inFlight -= messages;
    this.capacitySignal.notify();
    this.internals.committed(plan.change);
    if (plan.change.deadLetters.length > 0 || plan.change.deadLetterDeletes.length > 0)
      this.controlSignal.notify();
    this.events.emit('consumer:committed', {
      consumer: this.definition.name,
      source: this.source.name,
      messages,
      seconds,
    });
  }

  /**
   * Someone else wrote what we read: drop all uncommitted work, reload checkpoints and parked keys, and read
   * again from there. Handlers still running see their context closed and their results are ignored.
   */
  private async rewind(error: ConcurrencyError): Promise<void> {
    const conflict = error.conflict;
    this.logger.warn({ conflict }, 'commit conflict; redoing uncommitted work from the checkpoint');
    this.events.emit('consumer:rewound', { consumer: this.definition.name, conflict });
    if (conflict.kind === 'stream') this.internals.evictSnapshot(conflict.entity, conflict.entityId);
    await this.reset();
  }

  /**
   * Drops all uncommitted work and reloads checkpoints and parked keys (of the partitions owned now), to read
   * again from there. Handlers still running see their context closed and their results are ignored.
   */
  private async reset(): Promise<void> {
    this.epoch++;
    // Handlers still running work for the previous epoch: their results are dropped, so let them stop.
    this.handlerSignals.abortChildren(
      new ParleyError('UNIT_ABANDONED', 'the consumer rewound; this work is dropped'),
    );
    this.locks.releaseGroup(this.lanePrefix);
    this.lanes.reset();
    this.ready = [];
    this.inFlight = 0;
    this.readAhead.clear();
    this.pausePending = false;
    for (let failures = 1; !this.stopping; failures++) {
      try {
        await this.loadState();
        break;
      } catch (loadError) {
        this.logger.error({ err: ensureError(loadError) }, 'reloading consumer state failed; retrying');
        await this.sleep(backoff(failures, this.clock), undefined);
      }
    }
    this.capacitySignal.notify();
    this.controlSignal.notify();
  }

  /** Renews leases every third of their lifetime; when the owned partitions change, starts over from them. */
  private async balanceLoop(balancer: PartitionBalancer): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      await this.sleep(
        failures === 0 ? balancer.ttlMs / 3 : backoff(failures, this.clock),
        this.fetchAbort.signal,
      );
      if (this.stopping) break;
      try {
        const owned = await balancer.tick();
        failures = 0;
        const same = owned.size === this.owned.size && [...owned].every((p) => this.owned.has(p));
        if (same) continue;
        this.logger.info({ before: [...this.owned], after: [...owned] }, 'partitions rebalanced');
        this.events.emit('consumer:rebalanced', {
          consumer: this.definition.name,
          partitions: [...owned].sort((a, b) => a - b),
        });
        // Partitions taken over come with streams another process may have moved on: cached states would be stale.
        if ([...owned].some((p) => !this.owned.has(p))) this.internals.forgetSnapshots();
        this.owned = owned;
        await this.reset();
      } catch (error) {
        failures++;
        this.logger.error(
          { err: ensureError(error), failures },
          'renewing partition leases failed; retrying',
        );
      }
    }
    await balancer.leave().catch((error: unknown) => {
      this.logger.warn(
        { err: ensureError(error) },
        'giving partitions back failed; they free up when their leases expire',
      );
    });
  }

  /**
   * Tells the bus how far this group is, so retention never drops what it still needs: at most once a second,
   * unless `force` (the last report, when stopping).
   */
  private async reportProgress(options: { force?: boolean } = {}): Promise<void> {
    const now = this.clock.now();
    if (options.force !== true && now - this.lastReport < PROGRESS_EVERY_MS) return;
    this.lastReport = now;
    for (const progress of this.partitions) {
      if (progress === undefined || this.reported.get(progress.partition) === progress.checkpoint) continue;
      await this.source.recordProgress(this.definition.name, progress.partition, progress.checkpoint);
      this.reported.set(progress.partition, progress.checkpoint);
    }
  }
}

function backoff(attempt: number, clock: Clock): number {
  const base = Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(attempt, 20));
  return base / 2 + clock.random() * (base / 2);
}
