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

/** JetStream's code for a publish whose `Nats-Expected-Last-Msg-Id` is not the stream's last message id. */
const STREAM_WRONG_LAST_MSG_ID = 10070;

/** True when a publish expecting the stream's last message id (`Nats-Expected-Last-Msg-Id`) found another. */
export function isWrongLastMessageId(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === STREAM_WRONG_LAST_MSG_ID;
  return error instanceof Error && /wrong last msg id/i.test(error.message);
}
