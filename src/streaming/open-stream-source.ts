import type { StreamSourceSettings, StreamSourceType } from '../core/pipeline/streaming-schema.ts';
import { fillBrokerSettings } from './fill-broker-settings.ts';
import type { StreamPublisher, StreamSource, StreamSourceOptions } from './stream-source.ts';
import { openNatsJetStreamPublisher } from './sources/nats-jetstream-publisher.ts';
import { openNatsJetStreamSource } from './sources/nats-jetstream-source.ts';
import { openHttpIngestPublisher, openHttpIngestSource } from './sources/http-ingest-source.ts';
import { openMqttPublisher } from './sources/mqtt-publisher.ts';
import { openMqttSource } from './sources/mqtt-source.ts';
import { openRabbitMqPublisher } from './sources/rabbitmq-publisher.ts';
import { openRabbitMqSource } from './sources/rabbitmq-source.ts';
import { openRedisStreamsPublisher } from './sources/redis-streams-publisher.ts';
import { openRedisStreamsSource } from './sources/redis-streams-source.ts';

type Settings<T extends StreamSourceType> = Extract<StreamSourceSettings, { type: T }>;

/** What each broker provides: reading for the pipeline, and publishing for dead-letter replay. */
interface SourceKind<T extends StreamSourceType> {
  open(settings: Settings<T>, options: StreamSourceOptions): Promise<StreamSource>;
  publisher(settings: Settings<T>): Promise<StreamPublisher>;
  /** Its messages are requests to `sluice serve`, not a broker's. */
  readonly servedOverHttp?: boolean;
}

/** One entry per broker: adding a source adds an entry here and a case to the settings schema. */
const kinds: { readonly [T in StreamSourceType]: SourceKind<T> } = {
  nats_jetstream: { open: openNatsJetStreamSource, publisher: openNatsJetStreamPublisher },
  redis_streams: { open: openRedisStreamsSource, publisher: openRedisStreamsPublisher },
  rabbitmq: { open: openRabbitMqSource, publisher: openRabbitMqPublisher },
  mqtt: { open: openMqttSource, publisher: openMqttPublisher },
  http: { open: openHttpIngestSource, publisher: openHttpIngestPublisher, servedOverHttp: true },
};

/** True for a source whose messages arrive as requests to `sluice serve`: only a process serving HTTP can run it. */
export function isServedOverHttp(settings: StreamSourceSettings): boolean {
  return kinds[settings.type].servedOverHttp === true;
}

export async function openStreamSource(settings: StreamSourceSettings, options: StreamSourceOptions): Promise<StreamSource> {
  return (kinds[settings.type] as SourceKind<StreamSourceType>).open(fillBrokerSettings(settings, `the source of pipeline ${options.pipeline}`), options);
}

export async function openStreamPublisher(settings: StreamSourceSettings): Promise<StreamPublisher> {
  return (kinds[settings.type] as SourceKind<StreamSourceType>).publisher(fillBrokerSettings(settings, `the ${settings.type} source`));
}
