import { PubHeaders, type PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { OutgoingMessage } from '@parley/core';
import { isWrongLastMessageId } from './isWrongLastSequence.ts';
import { encodeMessage } from './messageCodec.ts';
import type { PublishWindow } from './PublishWindow.ts';

/**
 * Sends one message to JetStream, its headers carrying the JetStream ones, and resolves with its ack; rejects when
 * it was refused or not acknowledged (the connection's `PipelinedPublisher`).
 */
export interface JetStreamPublisher {
  publish(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<PubAck>;
}

/** A message and the subject of its partition. */
export interface ChainedMessage {
  readonly subject: string;
  readonly message: OutgoingMessage;
}

/**
 * Publishes one stream's messages in the given order with many acks in flight (as many as `window` allows), such
 * that a failure anywhere in the pipeline can neither reorder them nor store one twice.
 *
 * Every message but the first of a round expects the stream's last message id (`Nats-Expected-Last-Msg-Id`) to
 * be the one before it. So a message is stored only right after its predecessor: when one fails (refused,
 * lost, timed out), those behind it in the pipeline are refused by the server, never stored ahead of it. The first
 * message of a round goes unguarded: every message before it has been acknowledged, so wherever it lands, it
 * lands after them. The message id (`Nats-Msg-Id`) is checked before the expectation, so a message the stream
 * already holds is acknowledged as a duplicate, whatever it expected — publishing again after a crash, or two
 * relays publishing the same outbox at once, goes through the pipeline unhindered.
 *
 * When another publisher writes to the stream between two of these messages, the later one is refused for its
 * expectation although nothing failed: the round ends there and the next one starts from it, unguarded. Each
 * round stores at least its first message, so this always finishes. Any other failure ends the round, and the
 * call rejects with it once the publishes in flight have settled: the messages before the failure are stored,
 * those after it are not (or, if the failure was a lost ack, some may be, still in order), and publishing them
 * again is safe.
 */
export async function publishChained(
  client: JetStreamPublisher,
  window: PublishWindow,
  stream: string,
  messages: ReadonlyArray<ChainedMessage>,
): Promise<void> {
  let start = 0;
  while (start < messages.length) {
    const interrupted = await publishRound(client, window, stream, messages, start);
    if (interrupted === undefined) return;
    start = interrupted;
  }
}

/**
 * One pipeline from `start`. Resolves with where the next round starts when another publisher came in between,
 * undefined when every message was acknowledged; rejects with the first failure otherwise.
 */
async function publishRound(
  client: JetStreamPublisher,
  window: PublishWindow,
  stream: string,
  messages: ReadonlyArray<ChainedMessage>,
  start: number,
): Promise<number | undefined> {
  let failedAt = messages.length;
  let failure: unknown;
  const acks: Array<Promise<void>> = [];
  for (let i = start; i < failedAt; i++) {
    const { subject, message } = messages[i]!;
    const { headers, data, bytes } = encodeMessage(message);
    const room = window.take(bytes);
    if (room !== undefined) await room;
    if (i >= failedAt) {
      // Something before it failed while it waited for room: it would only be refused.
      window.release(bytes);
      break;
    }
    headers.append(PubHeaders.MsgIdHdr, message.id);
    headers.append(PubHeaders.ExpectedStreamHdr, stream);
    if (i > start) headers.append(PubHeaders.ExpectedLastMsgIdHdr, messages[i - 1]!.message.id);
    let ack: Promise<PubAck>;
    try {
      ack = client.publish(subject, data, headers);
    } catch (error) {
      ack = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    acks.push(
      ack.then(
        () => window.release(bytes),
        (error: unknown) => {
          window.release(bytes);
          if (i < failedAt) {
            failedAt = i;
            failure = error;
          }
        },
      ),
    );
  }
  await Promise.all(acks);
  if (failedAt === messages.length) return undefined;
  // The first failure is a refused expectation: every message before it is stored, so its predecessor was, and
  // someone else's message came after it.
  if (isWrongLastMessageId(failure)) return failedAt;
  throw failure;
}
