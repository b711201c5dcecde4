import { describeSink, type BrokerSinkFile, type BrokerSinkType } from '../../core/pipeline/streaming-schema.ts';
import { fillBrokerSettings } from '../fill-broker-settings.ts';
import { BrokerSink, type BrokerPublisher } from './broker-sink.ts';
import { openMqttSink } from './mqtt-sink.ts';
import { openNatsJetStreamSink } from './nats-jetstream-sink.ts';
import { openRabbitMqSink } from './rabbitmq-sink.ts';
import { openRedisStreamsSink } from './redis-streams-sink.ts';

type Settings<T extends BrokerSinkType> = Extract<BrokerSinkFile, { type: T }>;

/** One entry per broker: adding a broker sink adds an entry here and a case to the settings schema. */
const publishers: { readonly [T in BrokerSinkType]: (settings: Settings<T>, pipeline: string) => Promise<BrokerPublisher> } = {
  nats_jetstream: openNatsJetStreamSink,
  redis_streams: openRedisStreamsSink,
  rabbitmq: openRabbitMqSink,
  mqtt: openMqttSink,
};

/** Connects a broker sink (its state not read yet: call `load`). */
export async function openBrokerSink(pipeline: string, spec: BrokerSinkFile): Promise<BrokerSink> {
  const open = publishers[spec.type] as (settings: BrokerSinkFile, pipeline: string) => Promise<BrokerPublisher>;
  const filled = fillBrokerSettings(spec, `the sink ${describeSink(spec)} of pipeline ${pipeline}`);
  return new BrokerSink(pipeline, filled, await open(filled, pipeline));
}
