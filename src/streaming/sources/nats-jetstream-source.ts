import type { JsMsg } from '@nats-io/jetstream';
import type { StreamSourceSettings } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { StreamMessage, StreamSource, StreamSourceOptions } from '../stream-source.ts';
import { MessageBuffer } from './message-buffer.ts';

type Settings = Extract<StreamSourceSettings, { type: 'nats_jetstream' }>;

/**
 * Reads a JetStream stream through a durable pull consumer with explicit
 * acks. The consumer's own max_deliver is left unlimited on purpose: Sluice
 * counts deliveries itself and dead-letters at its `max_deliver`, so a crash
 * during the last delivery cannot make the broker drop the message unseen.
 * `max_ack_pending` is the pipeline's in-flight bound, so a slow sink stops
 * the broker from sending more.
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
  const subscription = await consumer.consume({ max_messages: Math.min(options.maxInFlight, 1000) });
  const held = new Map<string, JsMsg>();
  const buffer = new MessageBuffer();
  const reading = (async () => {
    for await (const m of subscription) {
      const id = String(m.seq);
      held.set(id, m);
      buffer.push({ id, payload: m.data, deliveries: m.info.deliveryCount, publishedAt: Math.floor(m.info.timestampNanos / 1e6) });
    }
  })().catch((error: unknown) => buffer.fail(error as Error));

  const take = (messages: readonly StreamMessage[]) => messages.flatMap((message) => {
    const m = held.get(message.id);
    held.delete(message.id);
    return m ? [m] : [];
  });
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
