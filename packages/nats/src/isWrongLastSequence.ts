import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** True when a compare-and-set write (KV `create`/`update`) lost to another writer. */
export function isWrongLastSequence(error: unknown): boolean {
  if (error instanceof JetStreamApiError) {
    return (
      error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown
    );
  }
  return error instanceof Error && /wrong last sequence/i.test(error.message);
}
