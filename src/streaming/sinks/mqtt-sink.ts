import type { BrokerSinkFile } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { BrokerPublisher } from './broker-sink.ts';

type Settings = Extract<BrokerSinkFile, { type: 'mqtt' }>;

/** The MQTT 5 user property carrying a record's id, for consumers that drop copies. */
export const recordIdProperty = 'sluice-id';

/**
 * Publishes records on an MQTT topic with QoS 1, each with its record id as
 * the user property `sluice-id`, and resolves once the broker sent every
 * PUBACK. QoS 1 is at-least-once: a record the broker took just before a
 * crash is published again.
 */
export async function openMqttSink(settings: Settings, pipeline: string): Promise<BrokerPublisher> {
  const mqtt = await import('mqtt');
  const description = `MQTT topic ${settings.topic}`;
  let client;
  try {
    client = await mqtt.connectAsync(settings.url, { protocolVersion: 5, clean: true, reconnectPeriod: 1000, connectTimeout: 10_000, clientId: `sluice_sink_${pipeline}_${process.pid}` }, false);
  } catch (error) {
    throw new ConnectorError('stream.sink_unreachable', `cannot reach the MQTT broker for ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  client.on('error', () => undefined);
  return {
    description,
    async publish(records) {
      try {
        await Promise.all(records.map((r) => client.publishAsync(r.key!, r.payload, { qos: 1, properties: { userProperties: { [recordIdProperty]: r.id } } })));
      } catch (error) {
        throw new ConnectorError('stream.sink_failed', `${description}: publishing failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
      return undefined;
    },
    async close() {
      await client.endAsync().catch(() => undefined);
    },
  };
}
