import { recordDeadLettered, recordFailed } from '../telemetry/messagingMetrics.ts';
import { processSpan } from '../telemetry/messagingSpans.ts';
import { ownEntry } from '../schema/ownEntry.ts';
import type { Clock } from '../clock/Clock.ts';
import type { Delivered } from '../envelope/Envelope.ts';
import { ensureError } from '../errors/ensureError.ts';
import { isDomainError } from '../errors/DomainError.ts';
import type { TypedEmitter } from '../events/TypedEmitter.ts';
import type { ServiceEvents } from '../events/ServiceEvents.ts';
import { classifyError } from '../failure/classifyError.ts';
import { delayedRetriesMade, type ResolvedRetryPolicy } from '../failure/RetryPolicy.ts';
import { decideExhaustion, decideFailure, type FailureDecision } from '../failure/decideFailure.ts';
import type { Logger } from '../logging/Logger.ts';
import type { DeadLetter, DeadLetterReason } from '../ports/DeadLetter.ts';
import type { ParkedMessage } from '../ports/ParkedMessage.ts';
import { mergeParts, type ChangeParts } from './ChangeParts.ts';
import type { ConsumerSource, SourceRecord } from './ConsumerSource.ts';
import type { ConsumerDefinition, FailureFacts, FailureHandler, Handler } from './defineConsumer.ts';
import { droppedParts, failureParts, parkParts, recoveredParts, unparkParts } from './failureParts.ts';
import type { ResourceLocks } from './ResourceLocks.ts';
import type { UnitFootprint, UnitOfWork } from './UnitOfWork.ts';

/**
 * A message for a key lane: fresh from the source, or from the key's parked queue — or, with a dead letter whose
 * action is `replay`, a message of no queue (escalated or skipped) that an operator redrove.
 */
export type LaneItem =
  | { readonly kind: 'source'; readonly partition: number; readonly record: SourceRecord }
  | { readonly kind: 'parked'; readonly message: ParkedMessage; readonly deadLetter: DeadLetter | undefined };

/** What one item contributes to the next commit. */
export interface ReadyUnit {
  /** For source items: the position that this unit completes. */
  readonly at?: { readonly partition: number; readonly position: number } | undefined;
  readonly unit?: UnitFootprint | undefined;
  readonly parts: ChangeParts;
  /** Runs after the unit committed. */
  readonly onCommit?: (() => void) | undefined;
  /** For units of a parked queue (retries, redrives, drains): its key, busy until the unit commits. */
  readonly parkedKey?: string | undefined;
}

/** How handling an item ended. */
export type ItemOutcome =
  /** Handled, skipped, escalated or dropped: the key goes on. */
  | 'done'
  /** Waiting for a delayed retry: the key is parked behind it. */
  | 'retrying'
  /** Dead-lettered with its key blocked (retries exhausted, or invalid): waiting for an operator. */
  | 'parked'
  /** The consumer rewound or stopped: nothing was recorded. */
  | 'abandoned';

/** What the processor needs from its consumer runtime. */
export interface ProcessorHost {
  readonly definition: ConsumerDefinition;
  readonly source: ConsumerSource;
  readonly locks: ResourceLocks;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: TypedEmitter<ServiceEvents>;
  readonly epoch: number;
  readonly stopping: boolean;
  newUnit(lane: string, message: Delivered, epoch: number): UnitOfWork;
  finish(epoch: number, ready: ReadyUnit): void;
  /** Pauses the consumer (stop policy); `parts` carry the persisted state. */
  pause(reason: string, epoch: number): void;
  sleep(ms: number): Promise<void>;
}

/**
 * Handles one item of a key lane with the consumer's failure semantics: immediate retries in process, then a
 * delayed retry (the key parks), and on exhaustion the policy — park, skip, escalate or stop. Invalid input is
 * never retried; domain errors are outcomes, not retries.
 */
export class MessageProcessor {
  constructor(private readonly host: ProcessorHost) {}

  async process(lane: string, item: LaneItem, epoch: number): Promise<ItemOutcome> {
    const host = this.host;
    const deadLetter = item.kind === 'parked' ? item.deadLetter : undefined;
    const at =
      item.kind === 'source' ? { partition: item.partition, position: item.record.position } : undefined;
    if (deadLetter?.action === 'drop') {
      this.finish(item, epoch, {
        parts: mergeParts(
          unparkParts(host.definition.name, deadLetter.message),
          droppedParts(deadLetter, host.clock.now()),
        ),
      });
      return 'done';
    }

    let message: Delivered;
    try {
      const decoded =
        item.kind === 'source'
          ? host.source.decode(item.partition, item.record)
          : host.source.decodeParked(item.message);
      message = decoded instanceof Promise ? await decoded : decoded;
    } catch (error) {
      return this.exhausted(
        lane,
        item,
        undefined,
        ensureError(error),
        'invalid',
        0,
        this.policyFor(undefined),
        epoch,
      );
    }
    const handler = this.handlerFor(message.type);
    if (handler === undefined) {
      this.finish(item, epoch, { ...(at ? { at } : {}), parts: this.settled(item) });
      return 'done';
    }

    const policy = this.policyFor(message.type);
    let attempts = deadLetter?.attempts ?? 0;
    const firstFailedAt = deadLetter === undefined ? undefined : Date.parse(deadLetter.firstFailedAt);
    for (let round = 1; ; round++) {
      if (epoch !== host.epoch) return 'abandoned';
      const unit = host.newUnit(lane, message, epoch);
      let error: Error;
      try {
        await processSpan(
          message,
          host.definition.name,
          {
            redelivery: item.kind === 'parked',
            attempt: attempts + 1,
            ended: (seconds, error) =>
              host.events.emit('consumer:processed', {
                consumer: host.definition.name,
                source: message.source,
                type: message.type,
                seconds,
                error,
              }),
          },
          () => Promise.resolve(handler(message, unit)),
        );
        const effects = await unit.seal();
        if (unit.deadlocked) throw new Error('a deadlock was swallowed by the handler');
        if (epoch !== host.epoch) {
          host.locks.discarded(unit.id, unit.touched);
          return 'abandoned';
        }
        host.locks.finished(unit.id, unit.touched);
        this.finish(item, epoch, {
          at,
          unit: unit.footprint(),
          parts: item.kind === 'source' ? effects : mergeParts(effects, this.settled(item)),
        });
        return 'done';
      } catch (thrown) {
        unit.close();
        host.locks.discarded(unit.id, unit.touched);
        if (epoch !== host.epoch) return 'abandoned';
        if (unit.deadlocked) {
          round--;
          await host.sleep(1 + host.clock.random() * 5);
          continue;
        }
        error = ensureError(thrown);
      }
      attempts++;
      const kind = classifyError(error, host.definition.classify);
      const now = host.clock.now();
      const decision = decideFailure(
        kind,
        policy,
        {
          attempts,
          attemptInDelivery: round,
          delayedRetriesDone: delayedRetriesMade(policy, attempts),
          firstFailedAt: firstFailedAt ?? now,
          now,
          singleDelivery: isReplay(item),
        },
        () => host.clock.random(),
      );
      recordFailed(host.definition.name, message.source, error, retryOf(decision.kind));
      host.events.emit('consumer:failed', {
        consumer: host.definition.name,
        source: message.source,
        messageId: message.id,
        type: message.type,
        key: message.key,
        attempt: attempts,
        error,
        retry: retryOf(decision.kind),
      });
      if (decision.kind === 'domain') return this.domainFailure(lane, item, message, error, attempts, epoch);
      if (decision.kind === 'exhausted')
        return this.exhausted(lane, item, message, error, decision.reason, attempts, policy, epoch);
      if (host.stopping) return 'abandoned';
      if (decision.kind === 'retry-now') {
        host.logger.debug(
          { err: error, messageId: message.id, attempts },
          'handler failed; retrying at once',
        );
        await host.sleep(decision.delay);
        continue;
      }
      const dueAt = decision.at;
      const parked = this.parked(item);
      const failure = failureParts({
        consumer: host.definition.name,
        existing: deadLetter,
        message: parked,
        error,
        reason: 'failed',
        attempts,
        status: 'retrying',
        action: 'retry',
        dueAt,
        now,
      });
      host.logger.warn(
        {
          err: error,
          messageId: message.id,
          type: message.type,
          key: message.key,
          attempts,
          retryAt: new Date(dueAt).toISOString(),
        },
        'handler failed; key parked until a delayed retry',
      );
      this.finish(item, epoch, {
        ...(at ? { at } : {}),
        parts: mergeParts(
          item.kind === 'source' ? parkParts(host.definition.name, parked) : {},
          failure.parts,
        ),
      });
      return 'retrying';
    }
  }

  /** Retries are over (or the input is invalid): apply the exhaustion policy. */
  private async exhausted(
    lane: string,
    item: LaneItem,
    message: Delivered | undefined,
    error: Error,
    reason: DeadLetterReason,
    attempts: number,
    policy: ResolvedRetryPolicy,
    epoch: number,
  ): Promise<ItemOutcome> {
    const host = this.host;
    const consumer = host.definition.name;
    const parked = this.parked(item);
    const at =
      item.kind === 'source' ? { at: { partition: item.partition, position: item.record.position } } : {};
    const existing = item.kind === 'parked' ? item.deadLetter : undefined;
    const now = host.clock.now();
    const record = (status: 'parked' | 'skipped' | 'escalated') =>
      failureParts({
        consumer,
        existing,
        message: parked,
        error,
        reason,
        attempts,
        status,
        action: null,
        dueAt: null,
        now,
      });

    const outcome = decideExhaustion(policy.onExhausted, {
      replay: isReplay(item),
      decoded: message !== undefined,
      canEscalate: host.definition.onExhausted !== undefined,
    });
    if (outcome === 'restore') {
      // A redriven escalated or skipped message failed again: it goes back to what it was, with the new error.
      // The domain heard of the failure when it was escalated; `onExhausted` is not called twice.
      const failure = record(policy.onExhausted === 'escalate' ? 'escalated' : 'skipped');
      this.announce(failure.deadLetter, error);
      this.finish(item, epoch, { parts: failure.parts });
      return 'done';
    }
    // A message that could not be decoded has no type to give `onExhausted`: it parks for an operator to edit.
    if (outcome === 'escalate' && message !== undefined && host.definition.onExhausted !== undefined) {
      const escalated = await this.runExtra(
        lane,
        host.definition.onExhausted,
        message,
        { attempts, firstFailedAt: existing?.firstFailedAt ?? new Date(now).toISOString(), error },
        epoch,
      );
      if (escalated === 'abandoned') return 'abandoned';
      if (escalated !== undefined) {
        const failure = record('escalated');
        this.announce(failure.deadLetter, error);
        this.finish(item, epoch, {
          ...at,
          unit: escalated.unit,
          parts: mergeParts(
            escalated.parts,
            item.kind === 'parked' ? unparkParts(consumer, parked) : {},
            failure.parts,
          ),
        });
        return 'done';
      }
      // onExhausted itself failed: keep the message parked so nothing is lost.
    }
    if (outcome === 'skip') {
      const failure = record('skipped');
      this.announce(failure.deadLetter, error);
      this.finish(item, epoch, {
        ...at,
        parts: mergeParts(item.kind === 'parked' ? unparkParts(consumer, parked) : {}, failure.parts),
      });
      return 'done';
    }
    const failure = record('parked');
    this.announce(failure.deadLetter, error);
    this.finish(item, epoch, {
      ...at,
      parts: mergeParts(item.kind === 'source' ? parkParts(consumer, parked) : {}, failure.parts),
    });
    if (outcome === 'stop') {
      host.pause(
        `stopped after dead-lettering message ${parked.id} (${parked.type}, key ${parked.key}): ${error.message}`,
        epoch,
      );
    }
    return 'parked';
  }

  /**
   * A handler threw a domain error: an outcome, never retried. With `replyTo` the sender gets a rejected reply;
   * else `onDomainError` handles it; else it is recorded as a skipped dead letter so it stays visible.
   */
  private async domainFailure(
    lane: string,
    item: LaneItem,
    message: Delivered,
    error: Error,
    attempts: number,
    epoch: number,
  ): Promise<ItemOutcome> {
    const host = this.host;
    const at =
      item.kind === 'source' ? { at: { partition: item.partition, position: item.record.position } } : {};
    const handler: FailureHandler<Delivered> | undefined =
      message.headers.replyTo !== undefined
        ? (_request, { error: failure }, ctx) =>
            ctx.reply({
              status: 'rejected',
              rejection: {
                code: isDomainError(failure) ? failure.code : failure.name,
                message: failure.message,
                ...(isDomainError(failure) && failure.details !== undefined
                  ? { details: failure.details }
                  : {}),
              },
            })
        : host.definition.onDomainError;
    if (handler !== undefined) {
      const existing = item.kind === 'parked' ? item.deadLetter : undefined;
      const facts = {
        attempts,
        firstFailedAt: existing?.firstFailedAt ?? new Date(host.clock.now()).toISOString(),
        error,
      };
      const handled = await this.runExtra(lane, handler, message, facts, epoch);
      if (handled === 'abandoned') return 'abandoned';
      if (handled !== undefined) {
        this.finish(item, epoch, {
          ...at,
          unit: handled.unit,
          parts: mergeParts(handled.parts, this.settled(item)),
        });
        return 'done';
      }
    }
    const failure = failureParts({
      consumer: host.definition.name,
      existing: item.kind === 'parked' ? item.deadLetter : undefined,
      message: this.parked(item),
      error,
      reason: 'failed',
      attempts,
      status: 'skipped',
      action: null,
      dueAt: null,
      now: host.clock.now(),
    });
    this.announce(failure.deadLetter, error);
    this.finish(item, epoch, {
      ...at,
      parts: mergeParts(
        item.kind === 'parked' && !isReplay(item) ? unparkParts(host.definition.name, item.message) : {},
        failure.parts,
      ),
    });
    return 'done';
  }

  /** Runs `onExhausted` or `onDomainError` in a unit of its own; undefined when it failed. */
  private async runExtra(
    lane: string,
    handler: FailureHandler<Delivered>,
    message: Delivered,
    failure: FailureFacts,
    epoch: number,
  ): Promise<{ unit: UnitFootprint; parts: ChangeParts } | 'abandoned' | undefined> {
    const host = this.host;
    const unit = host.newUnit(lane, message, epoch);
    try {
      await handler(message, failure, unit);
      const effects = await unit.seal();
      if (epoch !== host.epoch) {
        host.locks.discarded(unit.id, unit.touched);
        return 'abandoned';
      }
      host.locks.finished(unit.id, unit.touched);
      return { unit: unit.footprint(), parts: effects };
    } catch (thrown) {
      unit.close();
      host.locks.discarded(unit.id, unit.touched);
      if (epoch !== host.epoch) return 'abandoned';
      host.logger.error(
        { err: ensureError(thrown), messageId: message.id },
        'failure handler failed; the message stays parked',
      );
      return undefined;
    }
  }

  /** Hands a unit to the committer, marking units that touch a parked queue with their key. */
  private finish(item: LaneItem, epoch: number, ready: ReadyUnit): void {
    this.host.finish(epoch, item.kind === 'parked' ? { ...ready, parkedKey: item.message.key } : ready);
  }

  /** What a successfully handled item changes besides the handler's effects. */
  private settled(item: LaneItem): ChangeParts {
    if (item.kind === 'source') return {};
    if (isReplay(item)) return recoveredParts(item.deadLetter, this.host.clock.now());
    const unpark = unparkParts(this.host.definition.name, item.message);
    return item.deadLetter === undefined
      ? unpark
      : mergeParts(unpark, recoveredParts(item.deadLetter, this.host.clock.now()));
  }

  private parked(item: LaneItem): ParkedMessage {
    return item.kind === 'parked' ? item.message : this.host.source.toParked(item.partition, item.record);
  }

  private announce(deadLetter: DeadLetter, error: Error): void {
    recordDeadLettered(this.host.definition.name, deadLetter.message.source, deadLetter.status);
    this.host.logger.warn(
      {
        err: error,
        deadLetterId: deadLetter.id,
        status: deadLetter.status,
        reason: deadLetter.reason,
        key: deadLetter.message.key,
      },
      'message dead-lettered',
    );
    this.host.events.emit('consumer:dead-lettered', { consumer: this.host.definition.name, deadLetter });
  }

  private handlerFor(type: string): Handler<Delivered> | undefined {
    const handle = this.host.definition.handle;
    return typeof handle === 'function' ? handle : ownEntry(handle, type);
  }

  private policyFor(type: string | undefined): ResolvedRetryPolicy {
    return (
      (type === undefined ? undefined : ownEntry(this.host.definition.retryByType, type)) ??
      this.host.definition.retry
    );
  }
}

/** True for a redriven message of no queue (it was escalated or skipped): handled on its own. */
export function isReplay(
  item: LaneItem,
): item is LaneItem & { kind: 'parked'; deadLetter: DeadLetter & { action: 'replay' } } {
  return item.kind === 'parked' && item.deadLetter?.action === 'replay';
}

/** How a failed message is tried again after a decision: at once, through a durable timer, or not. */
function retryOf(decision: FailureDecision['kind']): 'immediate' | 'delayed' | null {
  return decision === 'retry-now' ? 'immediate' : decision === 'retry-at' ? 'delayed' : null;
}
