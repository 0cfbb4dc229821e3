import type { Delivered, MessageHeaders } from '../envelope/Envelope.ts';
import type { CommandOutcome } from '../entity/CommandOutcome.ts';
import type { CommandInput, EntityDefinition } from '../entity/defineEntity.ts';
import type { Logger } from '../logging/Logger.ts';
import type { ReadModelDefinition } from '../readmodel/defineReadModel.ts';
import type { SchemaMap } from '../schema/validate.ts';
import type { PublishInput, TopicDefinition } from '../topic/defineTopic.ts';
import type { ReplyOutcome } from '../reply/buildReply.ts';
import type { ScheduleOptions } from '../timer/ScheduleOptions.ts';
import type { WorkflowDefinition } from '../workflow/defineWorkflow.ts';

export interface ExecuteOptions {
  /**
   * Idempotency key: a command id that was executed before returns its recorded outcome and appends nothing.
   * Inside a handler it defaults to an id derived from the message, which is enough when the same message
   * is the only source of the command.
   */
  commandId?: string;
  /** Extra headers copied onto the events (correlation and causation are filled in). */
  headers?: MessageHeaders;
}

/** Read-model access inside a handler: reads see this consumer's not-yet-committed writes. */
export interface ReadModelAccess<D> {
  get(id: string): Promise<D | undefined>;
  /** Replaces the document; committed with the message. */
  set(id: string, doc: D): Promise<void>;
  delete(id: string): Promise<void>;
}

/**
 * What a handler may do. Nothing is written while the handler runs: effects are recorded in the message's unit
 * of work and committed by the runtime together with the consumer's checkpoint, in one transaction, after the
 * handler returns (batched with other messages). A redelivered message produces the same ids, so its effects are
 * never applied twice.
 */
export interface HandlerContext {
  /** The consumer (group) name. */
  readonly consumer: string;
  readonly message: Delivered;
  readonly logger: Logger;
  /** Aborted when the consumer stops or rewinds (the handler's work is then dropped); pass it to external calls. */
  readonly signal: AbortSignal;
  /** Key for external calls that must not happen twice: stable across redeliveries of this message. */
  readonly idempotencyKey: string;

  /** Executes a command on an entity of this service; its events commit with this message. */
  execute<S, C extends SchemaMap, E extends SchemaMap, R extends string>(
    entity: EntityDefinition<S, C, E, R>,
    entityId: string,
    command: CommandInput<C>,
    options?: ExecuteOptions,
  ): Promise<CommandOutcome<E, R>>;

  /** Publishes to a topic with this message's ancestry; committed with this message. */
  publish<M extends SchemaMap>(topic: TopicDefinition<M>, message: PublishInput<M>): Promise<void>;

  readModel<D>(model: ReadModelDefinition<D>): ReadModelAccess<D>;

  /**
   * Replies to the message's `replyTo` topic with an outcome (a command outcome as `execute` returns it, or
   * your own). Does nothing when the message has no `replyTo`. Committed with this message.
   */
  reply(outcome: ReplyOutcome): Promise<void>;

  /**
   * Starts a run of a workflow registered with this service, committed with this message: once per run id (a
   * run that exists stays as it is) and once per message (a redelivery starts nothing new).
   */
  startWorkflow<I>(workflow: WorkflowDefinition<I, unknown>, runId: string, input: I): Promise<void>;

  /** Schedules a message to be published later (a durable timer); committed with this message. */
  schedule<M extends SchemaMap>(
    topic: TopicDefinition<M>,
    message: PublishInput<M>,
    when: ScheduleOptions,
  ): Promise<void>;
}
