import { isoTime } from '../clock/isoTime.ts';
import { deriveMessageId } from '../ids/MessageId.ts';
import type { OutgoingMessage } from '../ports/OutgoingMessage.ts';
import { partitionFor } from '../topic/partitionFor.ts';
import { runCorrelationId } from './Journal.ts';

/** Partitions of a service's wake-up topic. */
export const WAKE_PARTITIONS = 8;

/** The wake-up topic of a service's workflows: `<service>.workflows`, keyed by run id. */
export function wakeTopicName(service: string): string {
  return `${service}.workflows`;
}

/**
 * A wake-up of one run, for the outbox or a timer. Its id is derived from the run and `reason`, so the same
 * wake-up written twice (a retried commit) is published once.
 */
export function wakeMessage(
  run: { service: string; workflow: string; runId: string },
  reason: string,
  at: number,
): OutgoingMessage {
  const id = deriveMessageId(run.runId, `${run.workflow}/wake/${reason}`, 0);
  return {
    topic: wakeTopicName(run.service),
    partition: partitionFor(run.runId, WAKE_PARTITIONS),
    id,
    type: 'Wake',
    key: run.runId,
    payload: JSON.stringify({ workflow: run.workflow, runId: run.runId, reason }),
    headers: { correlationId: runCorrelationId(run.workflow, run.runId) },
    occurredAt: isoTime(at),
  };
}
