import type { StreamSourceSettings, StreamSourceType } from '../core/pipeline/streaming-schema.ts';
import type { StreamSource, StreamSourceOptions } from './stream-source.ts';
import { openNatsJetStreamSource } from './sources/nats-jetstream-source.ts';
import { openRedisStreamsSource } from './sources/redis-streams-source.ts';

type Opener<T extends StreamSourceType> = (settings: Extract<StreamSourceSettings, { type: T }>, options: StreamSourceOptions) => Promise<StreamSource>;

/** One entry per broker: adding a source adds a line here and a case to the settings schema. */
const openers: { readonly [T in StreamSourceType]: Opener<T> } = {
  nats_jetstream: openNatsJetStreamSource,
  redis_streams: openRedisStreamsSource,
};

export function openStreamSource(settings: StreamSourceSettings, options: StreamSourceOptions): Promise<StreamSource> {
  return (openers[settings.type] as Opener<StreamSourceType>)(settings, options);
}
