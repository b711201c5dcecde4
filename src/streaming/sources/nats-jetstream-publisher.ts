import type { StreamSourceSettings } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { StreamPublisher } from '../stream-source.ts';

type Settings = Extract<StreamSourceSettings, { type: 'nats_jetstream' }>;

/**
 * Publishes replayed messages into the pipeline's JetStream stream, on the
 * subject the original message had (read from the stream by its sequence).
 * When the original is gone, the pipeline's subject filter is used if it
 * names one subject. Each publish carries a message id, so JetStream drops a
 * second copy of the same replay within its duplicate window.
 */
export async function openNatsJetStreamPublisher(settings: Settings): Promise<StreamPublisher> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const description = `JetStream stream ${settings.stream}`;
  let nc;
  try {
    nc = await connect({ servers: settings.url.split(','), name: 'sluice-dead-letter-replay' });
  } catch (error) {
    throw new ConnectorError('stream.source_unreachable', `cannot reach NATS for ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const fixedSubject = settings.subject && !/[*>]/.test(settings.subject) ? settings.subject : undefined;

  const subjectOf = async (original: string): Promise<string> => {
    const stored = await jsm.streams.getMessage(settings.stream, { seq: Number(original) }).catch(() => null);
    if (stored) return stored.subject;
    if (fixedSubject) return fixedSubject;
    throw new ConnectorError('stream.replay_subject_unknown', `${description}: message ${original} is no longer in the stream, and the pipeline's subject (${settings.subject ?? 'all of the stream\'s'}) does not name one subject to publish it on`, { retryable: false });
  };

  return {
    description,
    async republish({ original, payload, dedupeKey }) {
      const subject = await subjectOf(original);
      try {
        await js.publish(subject, payload, { msgID: dedupeKey });
      } catch (error) {
        throw new ConnectorError('stream.replay_failed', `${description}: publishing message ${original} again on ${subject} failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
    },
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}
