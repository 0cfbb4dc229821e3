import {
  foldEvents,
  type Bus,
  type CommandAccepted,
  type CommandRejected,
  type StoredEvent,
  type Store,
} from '@parley/core';
import { claimReplies } from './claimReplies.ts';
import { readTopic } from './readTopic.ts';
import { task, taskEventTypes } from './task.ts';
import { taskCommands } from './taskCommands.ts';
import { isIdle, user, type UserState } from './user.ts';

export interface StoryInvariants {
  /** Every task stream holds exactly one `TaskClaimed`, and the users won exactly as many claims as there are tasks. */
  eachTaskClaimedOnce: boolean;
  /**
   * Every claim sent got its answer to its user: the replies the users applied (won + lost) equal the claims
   * they sent and the claims on the bus; every `CommandRejected` of a claim is a `ClaimLost` in that user's
   * stream; and no user is left with a pending claim or a deferred task.
   */
  everyLoserNotified: boolean;
  /**
   * The tasks store holds no trace of a refused command: only declared task events, and in each task stream one
   * event per accepted command (its creation plus the accepted replies about it).
   */
  noRejectionEvents: boolean;
}

export interface StoryAudit {
  /** Tasks created. */
  tasks: number;
  /** Claims the users sent (`ClaimRequested` events). */
  claimsSent: number;
  /** Claims the users learnt they won (`ClaimWon`). */
  claimsAccepted: number;
  /** Claims the users learnt they lost (`ClaimLost`). */
  claimsRejected: number;
  invariants: StoryInvariants;
  /** What broke an invariant, at most 20 lines. */
  problems: string[];
}

export interface AuditSources {
  tasksStore: Store;
  usersStore: Store;
  bus: Bus;
}

/**
 * Checks the task-claiming story from what is durable — the two stores and the bus — once everything has
 * settled. Reads only; safe while the services run, but only meaningful when they are quiet.
 */
export async function auditStory({ tasksStore, usersStore, bus }: AuditSources): Promise<StoryAudit> {
  const problems: string[] = [];
  const [taskStreams, userStreams, commands, replies] = await Promise.all([
    readStreams(tasksStore, task.name),
    readStreams(usersStore, user.name),
    readTopic(bus, taskCommands),
    readTopic(bus, claimReplies),
  ]);

  const acceptedByTask = new Map<string, number>();
  const rejectedClaims: Array<{ userId: string; taskId: string }> = [];
  let acceptedClaimReplies = 0;
  for (const reply of replies) {
    const payload = reply.payload as CommandAccepted | CommandRejected;
    const taskId = payload.entityId ?? '';
    if (reply.type === 'CommandAccepted') {
      acceptedByTask.set(taskId, (acceptedByTask.get(taskId) ?? 0) + 1);
      if (payload.requestType === 'ClaimTask') acceptedClaimReplies++;
    } else if (payload.requestType === 'ClaimTask') {
      rejectedClaims.push({ userId: payload.correlationId, taskId });
    }
  }

  let tasks = 0;
  let eachTaskClaimedOnce = true;
  let noRejectionEvents = true;
  const declared = new Set<string>(taskEventTypes);
  for (const [taskId, events] of taskStreams) {
    if (events.some((e) => e.type === 'TaskCreated')) tasks++;
    const claims = events.filter((e) => e.type === 'TaskClaimed').length;
    if (claims !== 1) {
      eachTaskClaimedOnce = false;
      problems.push(`task ${taskId} was claimed ${claims} times`);
    }
    const undeclared = events.filter((e) => !declared.has(e.type));
    if (undeclared.length > 0) {
      noRejectionEvents = false;
      problems.push(`task ${taskId} holds undeclared events: ${undeclared.map((e) => e.type).join(', ')}`);
    }
    const accepted = 1 + (acceptedByTask.get(taskId) ?? 0);
    if (events.length !== accepted) {
      noRejectionEvents = false;
      problems.push(`task ${taskId} holds ${events.length} events for ${accepted} accepted commands`);
    }
  }

  const count = (type: string): number =>
    [...userStreams.values()].reduce((n, events) => n + events.filter((e) => e.type === type).length, 0);
  const claimsSent = count('ClaimRequested');
  const claimsAccepted = count('ClaimWon');
  const claimsRejected = count('ClaimLost');
  if (claimsAccepted !== tasks || acceptedClaimReplies !== tasks) {
    eachTaskClaimedOnce = false;
    problems.push(`${tasks} tasks, ${acceptedClaimReplies} accepted claims, ${claimsAccepted} won by users`);
  }

  let everyLoserNotified = true;
  const claimsOnBus = commands.filter((m) => m.type === 'ClaimTask').length;
  if (claimsAccepted + claimsRejected !== claimsSent || claimsOnBus !== claimsSent) {
    everyLoserNotified = false;
    problems.push(
      `${claimsSent} claims sent, ${claimsOnBus} on the bus, ${claimsAccepted} won + ${claimsRejected} lost`,
    );
  }
  if (rejectedClaims.length !== claimsRejected) {
    everyLoserNotified = false;
    problems.push(`${rejectedClaims.length} claims rejected by tasks, ${claimsRejected} lost by users`);
  }
  for (const { userId, taskId } of rejectedClaims) {
    const lost = userStreams
      .get(userId)
      ?.some((e) => e.type === 'ClaimLost' && (e.data as { taskId: string }).taskId === taskId);
    if (lost !== true) {
      everyLoserNotified = false;
      problems.push(`user ${userId} never learnt that its claim on ${taskId} was rejected`);
    }
  }
  for (const [userId, events] of userStreams) {
    const { state } = foldEvents(user, { state: user.initialState(), version: 0 }, events);
    if (!isIdle(state as UserState)) {
      everyLoserNotified = false;
      problems.push(`user ${userId} is not idle: ${JSON.stringify(state)}`);
    }
  }

  return {
    tasks,
    claimsSent,
    claimsAccepted,
    claimsRejected,
    invariants: { eachTaskClaimedOnce, everyLoserNotified, noRejectionEvents },
    problems: problems.slice(0, 20),
  };
}

const PAGE = 1000;

/** Every stream of an entity, its events in version order. */
async function readStreams(store: Store, entity: string): Promise<Map<string, StoredEvent[]>> {
  const streams = new Map<string, StoredEvent[]>();
  for (let after = 0; ;) {
    const page = await store.readEvents(entity, after, PAGE);
    for (const event of page) {
      const stream = streams.get(event.entityId) ?? [];
      stream.push(event);
      streams.set(event.entityId, stream);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return streams;
    after = last.position;
  }
}
