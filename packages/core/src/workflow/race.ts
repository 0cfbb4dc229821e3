import type { AnyWorkflow } from './defineWorkflow.ts';
import type { InboxMessage, RaceBranchEntry } from './Journal.ts';
import { toDelivered } from './toDelivered.ts';
import type { RaceBranch } from './WorkflowContext.ts';

/**
 * A race's branches as journaled when it starts: waits' topics (which must be among the workflow's inbox
 * routes) and timers' due times.
 * @throws TypeError for a wait on a topic the workflow does not route, or a race without branches
 */
export function raceBranches(
  workflow: AnyWorkflow,
  name: string,
  branches: Record<string, RaceBranch>,
  now: number,
): RaceBranchEntry[] {
  const plan = Object.entries(branches).map(([key, branch]): RaceBranchEntry => {
    if ('waitFor' in branch) {
      if (!workflow.inbox.some((route) => route.topic.name === branch.waitFor.name)) {
        throw new TypeError(
          `workflow ${workflow.name}: race ${name} waits for ${branch.waitFor.name}, which is not one of its inbox topics`,
        );
      }
      return { key, topic: branch.waitFor.name, dueAt: null };
    }
    return { key, topic: null, dueAt: 'sleep' in branch ? now + branch.sleep : Number(branch.until) };
  });
  if (plan.length === 0) throw new TypeError(`workflow ${workflow.name}: race ${name} has no branches`);
  return plan;
}

/** What the race has to go on right now. */
export interface RaceState {
  /** When the race began, ms since the epoch. */
  readonly startedAt: number;
  readonly now: number;
  /** The run's inbox messages no wait has taken yet, in arrival order. */
  readonly inbox: ReadonlyArray<InboxMessage>;
  /** When each inbox message reached the run. */
  readonly receivedAt: ReadonlyMap<string, number>;
}

/**
 * The winner of a race, if one branch has happened: a wait when a matching message is in the inbox (it happened
 * when it arrived, or when the race began if it came before), a timer once it is due (it happened at its due
 * time). The earliest wins; a tie goes to the branch declared first. Undefined while nothing has happened.
 */
export function decideRace(
  plan: ReadonlyArray<RaceBranchEntry>,
  branches: Record<string, RaceBranch>,
  state: RaceState,
): { key: string; at: number; messageId: string | null } | undefined {
  let best: { key: string; at: number; messageId: string | null } | undefined;
  for (const branch of plan) {
    let candidate: { at: number; messageId: string | null } | undefined;
    if (branch.topic !== null) {
      const declared = branches[branch.key];
      const match = declared !== undefined && 'waitFor' in declared ? declared.match : undefined;
      const found = state.inbox.find((m) => m.source === branch.topic && (match?.(toDelivered(m)) ?? true));
      if (found !== undefined) {
        const arrived = state.receivedAt.get(found.id) ?? state.now;
        candidate = { at: Math.max(state.startedAt, arrived), messageId: found.id };
      }
    } else if (branch.dueAt !== null && branch.dueAt <= state.now) {
      candidate = { at: branch.dueAt, messageId: null };
    }
    if (candidate !== undefined && (best === undefined || candidate.at < best.at))
      best = { key: branch.key, ...candidate };
  }
  return best;
}
