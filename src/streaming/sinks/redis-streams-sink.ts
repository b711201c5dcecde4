import type { BrokerSinkFile } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { BrokerPublisher, BrokerSinkState } from './broker-sink.ts';

type Settings = Extract<BrokerSinkFile, { type: 'redis_streams' }>;

/** Where a sink keeps what it committed to a stream: one hash per stream and pipeline. */
export function redisSinkStateKey(stream: string, pipeline: string): string {
  return `${stream}:sluice:${pipeline}`;
}

/**
 * Appends records to a Redis stream (the payload in `field`, the record's id
 * in `id`) together with the sink's state (the committed source message ids
 * and its progress) in ONE MULTI/EXEC, under WATCH of the state: the entries
 * and the position land together or not at all, and a commit is refused when
 * another process wrote the state meanwhile. So a source message is in the
 * stream exactly when its id is in the committed ids.
 */
export async function openRedisStreamsSink(settings: Settings, pipeline: string): Promise<BrokerPublisher> {
  const { Redis } = await import('ioredis');
  const description = `Redis stream ${settings.stream}`;
  const stateKey = redisSinkStateKey(settings.stream, pipeline);
  const redis = new Redis(settings.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false, connectionName: `sluice-sink-${pipeline}` });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new ConnectorError('stream.sink_unreachable', `cannot open ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  const failed = (error: unknown) => new ConnectorError('stream.sink_failed', `${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  const trim = settings.max_len !== undefined ? ['MAXLEN', '~', String(settings.max_len)] : [];
  return {
    description,
    async readState() {
      const [state, version] = await redis.hmget(stateKey, 'state', 'version').catch((error: unknown) => {
        throw failed(error);
      });
      return state == null || version == null ? undefined : { state: JSON.parse(state) as BrokerSinkState, version };
    },
    async publish(records, state) {
      try {
        await redis.watch(stateKey);
        const stored = await redis.hget(stateKey, 'version');
        if ((stored ?? undefined) !== state?.previous) {
          await redis.unwatch();
          throw new ConnectorError('stream.sink_state_moved', `${description}: another process committed to this sink meanwhile (run one process per streaming pipeline); reading its state again`, { retryable: true });
        }
        const version = String(Number(stored ?? 0) + 1);
        const multi = redis.multi();
        for (const r of records) multi.xadd(settings.stream, ...trim, '*', settings.field, r.payload, 'id', r.id);
        if (state) multi.hset(stateKey, 'state', JSON.stringify(state.next), 'version', version);
        const result = await multi.exec();
        if (result === null) throw new ConnectorError('stream.sink_state_moved', `${description}: another process committed to this sink meanwhile (run one process per streaming pipeline); reading its state again`, { retryable: true });
        const error = result.find(([e]) => e)?.[0];
        if (error) throw failed(error);
        return version;
      } catch (error) {
        if (error instanceof ConnectorError) throw error;
        throw failed(error);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
