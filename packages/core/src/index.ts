export * from './errors/index.ts';
export {
  newMessageId,
  useIdRandomness,
  deriveMessageId,
  parseMessageId,
  messageIdTime,
  type MessageId,
} from './ids/MessageId.ts';
export {
  validate,
  type SchemaMap,
  type SchemaInput,
  type SchemaOutput,
  type StandardSchemaV1,
} from './schema/validate.ts';
export type { Envelope, Delivered, LogPosition, MessageHeaders } from './envelope/Envelope.ts';
export { headersCausedBy, compactHeaders, parseHeaderText, INVALID_HEADERS } from './envelope/headers.ts';
export { silentLogger, type Logger } from './logging/Logger.ts';
export { defaultLogger } from './logging/defaultLogger.ts';
export { sleepWith, systemClock, type Clock } from './clock/Clock.ts';
export {
  defineTopic,
  assertName,
  type TopicDefinition,
  type PublishInput,
  type TopicMessage,
  type DefineTopicOptions,
} from './topic/defineTopic.ts';
export { partitionFor } from './topic/partitionFor.ts';
export {
  defineEntity,
  type EntityDefinition,
  type AnyEntity,
  type EntityCommand,
  type EntityEvent,
  type CommandInput,
  type Decision,
  type DecideContext,
  type DefineEntityOptions,
  type EventOf,
  type CommandOf,
  type StateOf,
} from './entity/defineEntity.ts';
export { reject, isRejection, type Rejection } from './entity/reject.ts';
export type { NewEvent, StoredEvent } from './ports/StoredEvent.ts';
export {
  OutboxStatus,
  type OutgoingMessage,
  type LogRecord,
  type OutboxRecord,
  type OutboxEntry,
  type OutboxFilter,
  type OutboxFailure,
} from './ports/OutgoingMessage.ts';
export {
  emptyChange,
  isEmptyChange,
  type Change,
  type StreamAppend,
  type CommandRecord,
  type StoredOutcome,
  type DocumentWrite,
  type CheckpointWrite,
} from './ports/Change.ts';
export type { Store, StoreChange, CursorPartition, DocumentQuery } from './ports/Store.ts';
export type { Bus, TopicSpec } from './ports/Bus.ts';
export { checkMaxBytes, countWithinBytes } from './ports/byteBudget.ts';
export type { CommandOutcome } from './entity/CommandOutcome.ts';
export {
  publishTo,
  type EntityPublication,
  type PublicationContext,
  type PublishableEvent,
} from './entity/publishTo.ts';
export type { Snapshot } from './entity/EntityCache.ts';
export { defineReadModel, type ReadModelDefinition } from './readmodel/defineReadModel.ts';
export type {
  ConsumerOptions,
  ConsumerSourceDefinition,
  SourceMessage,
  Handler,
  HandlerMap,
} from './consumer/defineConsumer.ts';
export type { HandlerContext, ExecuteOptions, ReadModelAccess } from './consumer/HandlerContext.ts';
export { DeadlockError } from './consumer/ResourceLocks.ts';
export type { ServiceEvents } from './events/ServiceEvents.ts';
export {
  createService,
  type Service,
  type ServiceOptions,
  type EntityOptions,
  type CommandOptions,
  type ReadModelQuery,
  type IdleOptions,
  type IdleState,
} from './service/createService.ts';
export { whenAllIdle, type IdleSource } from './service/whenAllIdle.ts';
export { decideCommand, foldEvents, type Decided, type DecideInput } from './entity/decideCommand.ts';
export {
  DeadLetterStatus,
  type DeadLetter,
  type DeadLetterReason,
  type DeadLetterFilter,
  type DeadLetterEdit,
  type DeadLetterAction,
  type ErrorRecord,
} from './ports/DeadLetter.ts';
export type { ParkedMessage } from './ports/ParkedMessage.ts';
export type { ConsumerState } from './ports/ConsumerState.ts';
export {
  SAMPLE_RETENTION_MS,
  type ConsumerSample,
  type ConsumerSampleFilter,
} from './ports/ConsumerSample.ts';
export type { TimerRecord } from './ports/TimerRecord.ts';
export type { ParkWrite, UnparkWrite } from './ports/Change.ts';
export {
  createAdmin,
  type Admin,
  type AdminOptions,
  type Actor,
  type EditResult,
} from './admin/createAdmin.ts';
export { Untouched, type BulkResult, type UntouchedDeadLetter } from './admin/BulkResult.ts';
export { schemaRegistry, type SchemaRegistry } from './admin/SchemaRegistry.ts';
export type { ConsumerInfo } from './admin/ConsumerInfo.ts';
export type { ConsumerHistory, ConsumerHistoryPoint } from './admin/ConsumerHistory.ts';
export type { SagaTrace, TraceStep } from './admin/traceAdmin.ts';
export type { TopicInfo } from './admin/TopicInfo.ts';
export type { OutboxAdmin, OutboxTopicSummary } from './admin/outboxAdmin.ts';
export type { WorkflowAdmin, WorkflowRunFilter } from './admin/workflowAdmin.ts';
export {
  deadLetterEvents,
  type MessageFailed,
  type MessageRecovered,
  type DeadLetterRedriven,
  type DeadLetterEdited,
  type DeadLetterDiscarded,
  type MessageDropped,
} from './deadletter/deadLetterEvents.ts';
export {
  defineReplyTopic,
  type CommandAccepted,
  type CommandRejected,
  type ReplyBase,
  type ReplyMessages,
} from './reply/defineReplyTopic.ts';
export type { ReplyOutcome } from './reply/buildReply.ts';
export { classifyError, FailureKind, type ErrorClassifier } from './failure/classifyError.ts';
export {
  ExhaustionPolicy,
  defaultRetryPolicy,
  resolveRetryPolicy,
  retryDelay,
  decideRetry,
  type RetryPolicy,
  type ResolvedRetryPolicy,
  type FailedAttempt,
  type RetryDecision,
} from './failure/RetryPolicy.ts';
export type { StormGuardOptions } from './consumer/StormGuard.ts';
export type { ExhaustedHandler, FailureFacts, FailureHandler } from './consumer/defineConsumer.ts';
export type { ScheduleOptions } from './timer/ScheduleOptions.ts';
export { objectSchema } from './schema/objectSchema.ts';
export type { Lease, LeaseStore } from './ports/LeaseStore.ts';
export type { RetentionPolicy, RetentionOutcome, GroupProgress } from './ports/Retention.ts';
export type { InstanceSlot, InstanceSlots } from './ports/InstanceSlots.ts';
export {
  defineWorkflow,
  type WorkflowDefinition,
  type DefineWorkflowOptions,
  type AnyWorkflow,
  type InboxRoute,
  type LateReply,
  type WorkflowInput,
  type WorkflowOutput,
} from './workflow/defineWorkflow.ts';
export {
  StepExhaustion,
  escalateTo,
  type StepEscalation,
  type RaceBranch,
  type RaceResult,
  type WorkflowContext,
  type StepOptions,
  type StepInfo,
  type WaitOptions,
  type RequestReply,
} from './workflow/WorkflowContext.ts';
export { RunStatus, type Journal, type JournalEntry, type InboxMessage } from './workflow/Journal.ts';
export type { WorkflowRunSummary } from './workflow/runDocument.ts';
export { deadLetterKind, type DeadLetterKind } from './workflow/deadLetterKind.ts';
export { checkRuns, type CheckRunsOptions, type RunCheck } from './workflow/checkRuns.ts';
export { WorkflowFailedError, type WorkflowHandle, type Workflows } from './workflow/WorkflowRuntime.ts';
export {
  NonDeterminismError,
  StepFailedError,
  WorkflowTimeoutError,
  WorkflowParkedError,
} from './workflow/workflowErrors.ts';
