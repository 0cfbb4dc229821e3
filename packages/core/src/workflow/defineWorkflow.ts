import type { Delivered } from '../envelope/Envelope.ts';
import { assertName } from '../topic/defineTopic.ts';
import type { TopicDefinition } from '../topic/defineTopic.ts';
import type { SchemaMap, StandardSchemaV1 } from '../schema/validate.ts';
import type { WorkflowContext } from './WorkflowContext.ts';
import { runCorrelationId } from './Journal.ts';

/**
 * Where the messages of a topic go among a workflow's runs: each one lands in the inbox of the run whose id
 * `runId` returns (nothing when it returns undefined), so a `waitFor` never misses a message that came before
 * it. Replies to `ctx.request` need no route: they are addressed to their run by correlation id.
 */
export interface InboxRoute<M extends SchemaMap = SchemaMap> {
  readonly topic: TopicDefinition<M>;
  readonly runId: (message: Delivered) => string | undefined;
}

/** A reply that came after its `request` had timed out, as `onLateReply` sees it. */
export interface LateReply {
  /** The step name the request was made under. */
  readonly request: string;
  readonly message: Delivered;
}

export interface DefineWorkflowOptions<I, O> {
  /** Letters, digits, `.`, `_` and `-`. */
  name: string;
  /** Schema of the input; a start with an invalid input is refused and nothing is written. */
  input: StandardSchemaV1<unknown, I>;
  /** Schema of the result, checked when the run completes. */
  output?: StandardSchemaV1<unknown, O>;
  /** The durable function. Everything it does through `ctx` is journaled; see {@link WorkflowContext}. */
  run: (ctx: WorkflowContext, input: I) => Promise<O>;
  /** Topics whose messages are routed to runs' inboxes, for `ctx.waitFor`. */
  inbox?: ReadonlyArray<InboxRoute>;
  /** Reply topics of the commands the workflow sends with `ctx.request`: replies reach their run by correlation id. */
  replies?: ReadonlyArray<TopicDefinition>;
  /**
   * Runs, as a journaled activation of its own, for every reply that arrives after its request timed out — the
   * payment that succeeds after the reservation was cancelled. Whatever it does through `ctx` (say, a refund
   * step) happens exactly once per late reply, even when the run has finished.
   */
  onLateReply?: (ctx: WorkflowContext, reply: LateReply, input: I) => Promise<void>;
}

/** A workflow type: pass it to `service.workflow(…)` and `service.workflows.start(…)`. */
export interface WorkflowDefinition<I = unknown, O = unknown> {
  readonly kind: 'workflow';
  readonly name: string;
  readonly input: StandardSchemaV1<unknown, I>;
  readonly output: StandardSchemaV1<unknown, O> | undefined;
  readonly run: (ctx: WorkflowContext, input: I) => Promise<O>;
  readonly inbox: ReadonlyArray<InboxRoute>;
  readonly onLateReply: ((ctx: WorkflowContext, reply: LateReply, input: I) => Promise<void>) | undefined;
}

/** Any workflow, whatever its types. */
export type AnyWorkflow = WorkflowDefinition<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type WorkflowInput<W> = W extends WorkflowDefinition<infer I, unknown> ? I : never;
export type WorkflowOutput<W> = W extends WorkflowDefinition<unknown, infer O> ? O : never;

/**
 * Declares a durable workflow: a function whose steps, timers, waits and messages are journaled in the
 * service's store, so that after a crash it resumes where it was and completed steps never run again.
 *
 * @example
 * const reservation = defineWorkflow({
 *   name: 'reservation',
 *   input: z.object({ reservationId: z.string(), walletId: z.string(), amount: z.number() }),
 *   run: async (ctx, input) => {
 *     await ctx.step('hold-seat', () => holdSeat(input), { compensate: () => releaseSeat(input) });
 *     const reply = await ctx.request('charge', walletCommands, chargeCommand(input), { timeout: 30_000 });
 *     return { charged: reply.status === 'accepted' };
 *   },
 * });
 */
export function defineWorkflow<I, O>(options: DefineWorkflowOptions<I, O>): WorkflowDefinition<I, O> {
  assertName(options.name, 'workflow');
  return Object.freeze({
    kind: 'workflow',
    name: options.name,
    input: options.input,
    output: options.output,
    run: options.run,
    inbox: [
      ...(options.inbox ?? []),
      ...(options.replies ?? []).map((topic) => ({ topic, runId: replyRoute(options.name) })),
    ],
    onLateReply: options.onLateReply,
  });
}

/** Replies carry the run's correlation id, `<workflow>/<run id>`: the run they belong to. */
function replyRoute(workflow: string): (message: Delivered) => string | undefined {
  const prefix = runCorrelationId(workflow, '');
  return (message) => {
    const correlationId = message.headers.correlationId;
    return correlationId?.startsWith(prefix) === true ? correlationId.slice(prefix.length) : undefined;
  };
}
