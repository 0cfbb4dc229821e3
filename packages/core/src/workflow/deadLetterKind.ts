import type { DeadLetter } from '../ports/DeadLetter.ts';
import { wakeTopicName } from './wakeMessage.ts';

/**
 * What a dead letter stands for: a message a consumer could not handle, or a parked workflow run (the run's
 * wake-up, dead-lettered by its service's `<service>.workflows` consumer), so operators see both in one place.
 */
export type DeadLetterKind =
  | { readonly kind: 'message' }
  | { readonly kind: 'workflow'; readonly workflow: string; readonly runId: string };

/** Tells a parked workflow run's dead letter from a message's. */
export function deadLetterKind(deadLetter: DeadLetter): DeadLetterKind {
  const { message } = deadLetter;
  if (message.type !== 'Wake' || !message.source.endsWith(wakeTopicName(''))) return { kind: 'message' };
  if (deadLetter.consumer !== message.source) return { kind: 'message' };
  try {
    const wake = JSON.parse(message.payload) as { workflow?: unknown; runId?: unknown };
    if (typeof wake.workflow === 'string' && typeof wake.runId === 'string') {
      return { kind: 'workflow', workflow: wake.workflow, runId: wake.runId };
    }
  } catch {
    // Not a wake-up's payload: a message like any other.
  }
  return { kind: 'message' };
}
