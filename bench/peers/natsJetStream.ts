import {
  AckPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
  type PubAck,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  packageVersion,
  pollUntil,
  Recorder,
  runId,
  runTimeoutMs,
  stamped,
  validateOptions,
  type PeerResult,
  type PeerRunOptions,
} from './PeerRun.ts';

const SERVER = '127.0.0.1:4222';
/** Publishes whose acks may be outstanding at once (a sliding window of async `js.publish` calls). */
const PUBLISH_WINDOW = 500;
/**
 * Pull-batch size for `consume()`: the client defaults to 100; 1000 is the server's default `max_ack_pending`,
 * so the consumer never asks for more than it may hold unacked. Raised to `concurrency` if that is larger.
 * (Measured here: the same throughput as 100, but with 100 the consumer falls behind the in-process publisher
 * and publish→handler latency grows about 15-fold.)
 */
const MAX_MESSAGES = 1000;

/**
 * Raw NATS JetStream on the local server: a unique stream (file storage, limits retention, the defaults) with one
 * durable pull consumer with explicit acks; both deleted afterwards. Publishing is async with up to 500 acks in
 * flight; consuming uses `consumer.consume()` and acks each message after its handler.
 */
export async function run(options: PeerRunOptions): Promise<PeerResult> {
  validateOptions(options);
  const { count, payload, concurrency } = options;
  const id = runId();
  const stream = `PARLEY_BENCH_${id}`;
  const subject = `parley.bench.${id}`;
  const durable = 'bench';
  const maxMessages = Math.max(MAX_MESSAGES, concurrency);
  const recorder = new Recorder(count, options.onProgress);

  let nc: NatsConnection | undefined;
  let messages: ConsumerMessages | undefined;
  let streamCreated = false;
  try {
    nc = await connect({ servers: SERVER, name: `parley-bench-${id}`, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
    streamCreated = true;
    await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(stream, durable);
    messages = await consumer.consume({ max_messages: maxMessages });
    const consuming = consume(messages, concurrency, (msg) => {
      try {
        recorder.handle(msg.json());
        msg.ack();
      } catch (error) {
        recorder.fail(error);
      }
    });
    consuming.catch((error: unknown) => recorder.fail(error));

    recorder.start();
    const inFlight = new Set<Promise<PubAck>>();
    for (let seq = 0; seq < count; seq++) {
      if (inFlight.size >= PUBLISH_WINDOW) await Promise.race(inFlight);
      const ack = js.publish(subject, JSON.stringify(stamped(payload, seq)));
      inFlight.add(ack);
      ack.then(
        () => inFlight.delete(ack),
        (error: unknown) => recorder.fail(error),
      );
    }
    await Promise.all(inFlight);
    await recorder.waitAll(runTimeoutMs(count));
    const confirmedAt = await pollUntil(async () => {
      const info = await jsm.consumers.info(stream, durable);
      return info.num_ack_pending === 0 && info.ack_floor.stream_seq >= count;
    }, runTimeoutMs(count));
    const info = await jsm.consumers.info(stream, durable);

    return recorder.result(
      'nats-jetstream',
      `@nats-io/jetstream ${packageVersion('@nats-io/jetstream')} on nats-server ${nc.info?.version ?? '?'} at ${SERVER}, unique stream deleted after; connection with noAsyncTraces (as Parley's). ` +
        `Stream: one subject, file storage, limits retention (defaults), 1 replica. ` +
        `Publish: js.publish (JSON), async with up to ${PUBLISH_WINDOW} acks in flight. ` +
        `Consume: one durable pull consumer, explicit ack (msg.ack(), not ackAck), consume() with max_messages ` +
        `${maxMessages} (client default 100), up to ${concurrency} handlers in flight, default max_ack_pending and ack_wait; ` +
        `${info.num_redelivered} redelivered. Clock: first publish to last handler entry.`,
      confirmedAt,
    );
  } finally {
    messages?.stop();
    if (nc !== undefined) {
      if (streamCreated) await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
      await nc.close().catch(() => {});
    }
  }
}

/**
 * Runs `handle` for each message with at most `concurrency` handlers in flight, until the messages stop.
 * `handle` reports its own errors (it must not reject).
 */
async function consume(
  messages: ConsumerMessages,
  concurrency: number,
  handle: (msg: JsMsg) => void | Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for await (const msg of messages) {
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    const handled = (async () => handle(msg))();
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  }
  await Promise.all(inFlight);
}
