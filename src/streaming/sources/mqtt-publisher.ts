import { ConnectorError } from '../../core/errors.ts';
import type { StreamPublisher } from '../stream-source.ts';
import { replayIdProperty, type MqttSettings } from './mqtt-source.ts';

/**
 * Publishes replayed messages with QoS 1 on the pipeline's topic, which must
 * name one topic (no wildcard: the original's topic is not kept). Each carries
 * the replay's key as an MQTT 5 user property, which the source takes as the
 * message's id: the payload's id field is the dead letter's own, which the
 * pipeline may still hold as done. Each publish is awaited until the broker
 * acknowledged it.
 */
export async function openMqttPublisher(settings: MqttSettings): Promise<StreamPublisher> {
  const mqtt = await import('mqtt');
  const description = `MQTT topic ${settings.topic}`;
  if (/[+#]/.test(settings.topic)) {
    throw new ConnectorError('stream.replay_subject_unknown', `${description}: the pipeline's topic is a filter with wildcards, so it does not name one topic to publish a dead letter on`, { retryable: false });
  }
  let client;
  try {
    client = await mqtt.connectAsync(settings.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0, connectTimeout: 10_000 }, false);
  } catch (error) {
    throw new ConnectorError('stream.source_unreachable', `cannot reach the MQTT broker for ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  client.on('error', () => undefined);
  return {
    description,
    async republish({ original, payload, dedupeKey }) {
      try {
        await client.publishAsync(settings.topic, Buffer.from(payload), { qos: 1, properties: { userProperties: { [replayIdProperty]: dedupeKey } } });
      } catch (error) {
        throw new ConnectorError('stream.replay_failed', `${description}: publishing message ${original} again failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
    },
    async close() {
      await client.endAsync().catch(() => undefined);
    },
  };
}
