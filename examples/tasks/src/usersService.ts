import {
  DomainError,
  createService,
  publishTo,
  type Bus,
  type Clock,
  type CommandInput,
  type HandlerContext,
  type Logger,
  type ReplyBase,
  type Service,
  type Store,
} from '@parley/core';
import { claimReplies } from './claimReplies.ts';
import { taskCommands } from './taskCommands.ts';
import { taskEvents } from './taskEvents.ts';
import { user, type UserEvent } from './user.ts';

export interface UsersServiceOptions {
  /** The users service's own store. */
  store: Store;
  bus: Bus;
  /**
   * The users offered a new task; each claims it at once when waiting, or later when free again. Must give the
   * same answer for the same task, since a message may be handled again after a crash.
   */
  racersFor: (taskId: string) => ReadonlyArray<string>;
  logger?: Logger;
  /** @default the system clock */
  clock?: Clock;
  /** Stable name of this instance. */
  instanceId?: string;
}

/**
 * A user's claims travel as commands to the tasks service, written in the same transaction as the user's
 * event. `replyTo` and `correlationId` tell the tasks service where to answer and let the answer find the user
 * again. Users here work fast: winning a task sends its completion at once.
 */
export const sendTaskCommands = publishTo(taskCommands, (event: UserEvent, { entityId }) => {
  const headers = { replyTo: claimReplies.name, correlationId: entityId };
  switch (event.type) {
    case 'ClaimRequested':
      return {
        type: 'ClaimTask',
        key: event.data.taskId,
        payload: { taskId: event.data.taskId, userId: entityId },
        headers,
      };
    case 'ClaimWon':
      return {
        type: 'CompleteTask',
        key: event.data.taskId,
        payload: { taskId: event.data.taskId, userId: entityId },
        headers,
      };
    default:
      return undefined;
  }
});

/**
 * The `users` service: owns the user entities, offers every new task to a few users, and applies the tasks
 * service's answers. A reply finds its user by its correlation id and its task by the reply's entity id: no read
 * model is needed to tell a loser that it lost.
 *
 * @example
 * const users = createUsersService({ store, bus, racersFor: () => ['alice', 'bob'] });
 * await users.start();
 * await users.execute(user, 'alice', { type: 'StartWaiting', data: {} });
 */
export function createUsersService(options: UsersServiceOptions): Service {
  const { racersFor, ...serviceOptions } = options;
  return createService({ name: 'users', ...serviceOptions })
    .entity(user, { publish: sendTaskCommands })
    .consumer({
      name: 'task-offers',
      source: taskEvents,
      handle: {
        TaskCreated: async ({ payload }, ctx) => {
          // In id order, so that two offers handled in different lanes take users' streams in the same order.
          for (const userId of [...racersFor(payload.taskId)].sort()) {
            // An offline user is rejected and does not race; the others claim now or defer the task.
            await ctx.execute(user, userId, { type: 'TryClaim', data: { taskId: payload.taskId } });
          }
        },
      },
    })
    .consumer({
      name: 'claim-replies',
      source: claimReplies,
      handle: {
        CommandAccepted: async ({ payload }, ctx) => {
          const { userId, taskId } = conversationOf(payload);
          await apply(ctx, userId, {
            type: payload.requestType === 'ClaimTask' ? 'ClaimSucceeded' : 'FinishWork',
            data: { taskId },
          });
        },
        CommandRejected: async ({ payload }, ctx) => {
          const { userId, taskId } = conversationOf(payload);
          if (payload.requestType !== 'ClaimTask') {
            ctx.logger.warn({ userId, taskId, rejection: payload.rejection }, 'completion refused');
            await apply(ctx, userId, { type: 'FinishWork', data: { taskId } });
            return;
          }
          const claimedBy = payload.rejection.details?.['claimedBy'];
          await apply(ctx, userId, {
            type: 'ClaimRejected',
            data: {
              taskId,
              code: payload.rejection.code,
              claimedBy: typeof claimedBy === 'string' ? claimedBy : null,
            },
          });
        },
      },
    });
}

/** The user (correlation id) and the task (the entity that answered) a reply is about. */
function conversationOf(reply: ReplyBase): { userId: string; taskId: string } {
  if (reply.entityId === null)
    throw new DomainError('UnexpectedReply', `reply ${reply.requestId} names no task`);
  return { userId: reply.correlationId, taskId: reply.entityId };
}

/**
 * Applies a reply to its user. A reply the user does not expect is a bug, not a transient failure: the domain
 * error makes it a skipped dead letter that operators can see.
 */
async function apply(
  ctx: HandlerContext,
  userId: string,
  command: CommandInput<(typeof user)['commands']>,
): Promise<void> {
  const outcome = await ctx.execute(user, userId, command);
  if (outcome.status === 'rejected') {
    throw new DomainError('UnexpectedReply', `${command.type} does not fit user ${userId}'s state`, {
      details: { userId, command: command.type, rejection: outcome.rejection.code },
    });
  }
}
