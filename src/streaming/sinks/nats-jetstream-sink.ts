import type { BrokerSinkFile } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { BrokerPublisher } from './broker-sink.ts';

type Settings = Extract<BrokerSinkFile, { type: 'nats_jetstream' }>;

/** Publishes in flight at once, at most: each awaits its own PubAck. */
const window = 256;

/**
 * Publishes records on a JetStream subject, each with its record id as
 * `Nats-Msg-Id`, and resolves once every PubAck came back (the stream stored
 * it, or dropped it as a copy of one it stored within its duplicate window).
 * A subject no stream captures fails the batch, which is retried.
 */
export async function openNatsJetStreamSink(settings: Settings, pipeline: string): Promise<BrokerPublisher> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream } = await import('@nats-io/jetstream');
  const description = `JetStream subject ${settings.subject}`;
  let nc;
  try {
    nc = await connect({ servers: settings.url.split(','), name: `sluice-sink-${pipeline}` });
  } catch (error) {
    throw new ConnectorError('stream.sink_unreachable', `cannot reach NATS for ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  const js = jetstream(nc);
  return {
    description,
    async publish(records) {
      for (let i = 0; i < records.length; i += window) {
        await Promise.all(
          records.slice(i, i + window).map(async (r) => {
            try {
              await js.publish(r.key!, r.payload, { msgID: r.id });
            } catch (error) {
              throw new ConnectorError('stream.sink_failed', `${description}: publishing on ${r.key} failed: ${(error as Error).message}`, { cause: error, retryable: true });
            }
          }),
        );
      }
      return undefined;
    },
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}
