import type { StreamSourceSettings } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { StreamPublisher } from '../stream-source.ts';

type Settings = Extract<StreamSourceSettings, { type: 'redis_streams' }>;

/**
 * Appends replayed messages to the pipeline's Redis stream with XADD, the
 * payload in the pipeline's field. Redis does not deduplicate: a replay
 * repeated after a failure between XADD and the dead letter's removal adds
 * the message twice.
 */
export async function openRedisStreamsPublisher(settings: Settings): Promise<StreamPublisher> {
  const { Redis } = await import('ioredis');
  const description = `Redis stream ${settings.stream}`;
  const redis = new Redis(settings.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new ConnectorError('stream.source_unreachable', `cannot open ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  return {
    description,
    async republish({ original, payload }) {
      try {
        await redis.xadd(settings.stream, '*', settings.field, Buffer.from(payload));
      } catch (error) {
        throw new ConnectorError('stream.replay_failed', `${description}: adding entry ${original} again failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
