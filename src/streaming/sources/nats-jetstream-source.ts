import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { StreamSourceSettings } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { StreamMessage, StreamSource, StreamSourceOptions } from '../stream-source.ts';
import { MessageBuffer } from './message-buffer.ts';

type Settings = Extract<StreamSourceSettings, { type: 'nats_jetstream' }>;

/** Under a symbol, so it stays out of anything that lists or serialises the message. */
const delivery = Symbol('delivery');
type Delivered = StreamMessage & { readonly [delivery]: JsMsg };

/**
 * Reads a JetStream stream through a durable pull consumer with explicit
 * acks. The consumer's own max_deliver is left unlimited on purpose: Sluice
 * counts deliveries itself and dead-letters at its `max_deliver`, so a crash
 * during the last delivery cannot make the broker drop the message unseen.
 * `max_ack_pending` is the pipeline's in-flight bound, so a slow sink stops
 * the broker from sending more.
 *
 * With `redeliveriesFirst`, the messages a killed process left unacknowledged
 * are taken before newer ones: JetStream delivers them again only after
 * `ack_wait`, so newer messages are held until they came (or `ack_wait` has
 * passed once more).
 */
export async function openNatsJetStreamSource(settings: Settings, options: StreamSourceOptions): Promise<StreamSource> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } = await import('@nats-io/jetstream');
  const durable = settings.consumer ?? `sluice_${options.pipeline.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const description = `JetStream stream ${settings.stream} (consumer ${durable})`;
  let nc;
  try {
    nc = await connect({ servers: settings.url.split(','), name: `sluice-stream-${options.pipeline}` });
  } catch (error) {
    throw new ConnectorError('stream.source_unreachable', `cannot reach NATS for ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  try {
    const jsm = await jetstreamManager(nc);
    const config = {
      ack_policy: AckPolicy.Explicit,
      ack_wait: settings.ack_wait * 1_000_000,
      max_deliver: -1,
      max_ack_pending: options.maxInFlight,
      ...(settings.subject ? { filter_subject: settings.subject } : {}),
    };
    const existing = await jsm.consumers.info(settings.stream, durable).catch((error: Error) => {
      if (/consumer not found/i.test(error.message)) return undefined;
      throw error;
    });
    if (existing) await jsm.consumers.update(settings.stream, durable, config);
    else await jsm.consumers.add(settings.stream, { ...config, durable_name: durable, deliver_policy: DeliverPolicy.All });
  } catch (error) {
    await nc.close();
    throw new ConnectorError('stream.source_failed', `cannot open ${description}: ${(error as Error).message}`, { cause: error, retryable: !/stream not found/i.test((error as Error).message) });
  }
  const consumer = await jetstream(nc).consumers.get(settings.stream, durable);
  const recovery = options.redeliveriesFirst ? await redeliveriesFirst(consumer, settings.ack_wait) : undefined;
  // Each message carries its own delivery to acknowledge. A message delivered again (after ack_wait, while a copy
  // waits or commits) is acknowledged through its newest delivery: those few are looked up by id, so the usual
  // first delivery costs no map entry.
  const redelivered = new Map<string, JsMsg>();
  const buffer = new MessageBuffer();
  const receive = (m: JsMsg) => {
    const info = m.info;
    const id = String(info.streamSequence);
    if (info.deliveryCount > 1) redelivered.set(id, m);
    const message: Delivered = { id, payload: m.data, deliveries: info.deliveryCount, publishedAt: Math.floor(info.timestampNanos / 1e6), [delivery]: m };
    if (recovery?.holds(info.streamSequence, message)) return;
    buffer.push(message);
  };
  // Each message is handed over as the client parses it, without an async iterator's promise and turn per message.
  const subscription = await consumer.consume({ max_messages: Math.min(options.maxInFlight, 1000), callback: receive });
  // Closed with an error (the consumer deleted, a callback that threw), the next pull throws it.
  const reading = subscription.closed().then((error) => {
    if (error) buffer.fail(error);
  });
  recovery?.releaseTo((messages) => messages.forEach((m) => buffer.push(m)));

  const take = (messages: readonly StreamMessage[]) => {
    const taken: JsMsg[] = [];
    for (const message of messages) {
      const newest = redelivered.get(message.id);
      if (newest) redelivered.delete(message.id);
      const m = newest ?? (message as Partial<Delivered>)[delivery];
      if (m) taken.push(m);
    }
    return taken;
  };
  return {
    description,
    pull: (max, waitMs, signal) => buffer.pull(max, waitMs, signal),
    async ack(messages) {
      for (const m of take(messages)) m.ack();
      await nc.flush();
    },
    async retryLater(messages, delayMs) {
      for (const m of take(messages)) m.nak(delayMs);
      await nc.flush();
    },
    async settledIds() {
      const info = await consumer.info(false);
      const floor = info.ack_floor.stream_seq;
      return (id) => Number(id) <= floor;
    },
    async lag() {
      const info = await consumer.info(false);
      return info.num_pending + info.num_ack_pending;
    },
    async close() {
      await subscription.close().catch(() => undefined);
      await reading;
      await nc.drain().catch(() => nc.close());
    },
  };
}

/**
 * Holds back messages newer than the consumer's last delivery while the
 * messages its previous process left unacknowledged have not all come again:
 * JetStream redelivers those after ack_wait, and anything read meanwhile
 * would be processed first. Released when they are all in, or after ack_wait
 * and a second more (a message may have been acknowledged or removed meanwhile).
 */
async function redeliveriesFirst(consumer: Consumer, ackWaitMs: number): Promise<{ holds(seq: number, message: StreamMessage): boolean; releaseTo(push: (messages: StreamMessage[]) => void): void } | undefined> {
  const info = await consumer.info(false);
  let left = info.num_ack_pending;
  if (left <= 0) return undefined;
  const upTo = info.delivered.stream_seq;
  const seen = new Set<number>();
  let held: StreamMessage[] | undefined = [];
  let push: ((messages: StreamMessage[]) => void) | undefined;
  const release = () => {
    clearTimeout(timer);
    const taken = held;
    held = undefined;
    if (taken?.length) push?.(taken);
  };
  const timer = setTimeout(release, ackWaitMs + 1000).unref();
  return {
    holds(seq, message) {
      if (!held) return false;
      if (seq > upTo) {
        held.push(message);
        return true;
      }
      if (!seen.has(seq)) {
        seen.add(seq);
        if (--left <= 0) queueMicrotask(release);
      }
      return false;
    },
    releaseTo(to) {
      push = to;
    },
  };
}
