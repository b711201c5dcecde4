import { ConfigError } from '../errors.ts';
import type { StreamLagBlock } from '../pipeline/pipeline.ts';
import type { StreamMetricSample } from '../run-store/stream-metrics-store.ts';
import type { BlockResult, BlockRunner } from './block-runner.ts';

/**
 * Whether a stream has caught up, judged from its newest metrics sample: it
 * must say the stream is running, be younger than `maxAge` (a stream that
 * stopped recording says nothing about now), and know a lag below `below`.
 * The answer says why not, for the run's log.
 */
export function judgeStreamLag(block: Pick<StreamLagBlock, 'stream' | 'below' | 'maxAge'>, sample: StreamMetricSample | undefined, now = Date.now()): { ready: boolean; reason: string } {
  const { stream, below } = block;
  if (!sample) return { ready: false, reason: `${stream} has recorded no metrics yet (is it running?)` };
  const age = now - Date.parse(sample.at);
  if (sample.state !== 'running') return { ready: false, reason: `${stream} is ${sample.state === 'failed' ? 'failing' : 'stopped'} (its last sample, ${sample.at})` };
  if (age > block.maxAge) return { ready: false, reason: `${stream}'s newest metrics are ${Math.round(age / 1000)} s old, older than max_age: waiting for a fresh sample` };
  if (sample.lag === undefined) return { ready: false, reason: `${stream}'s broker does not tell its lag, so it cannot be judged caught up` };
  if (sample.lag >= below) return { ready: false, reason: `${stream} has ${sample.lag} messages waiting, not below ${below}` };
  return { ready: true, reason: `${stream} has caught up: ${sample.lag} messages waiting, below ${below} (at ${sample.at})` };
}

/** Runs a `stream_lag:` sensor once: ready or not, from the stream's newest sample in the metadata store. */
export const runStreamLagSensor: BlockRunner<StreamLagBlock> = async (block, context): Promise<BlockResult> => {
  const metrics = context.store?.streamMetrics;
  if (!metrics) throw new ConfigError('block.stream_lag_no_store', `block '${block.name}': this run has no metadata store to read ${block.stream}'s metrics from`);
  const [sample] = await metrics.history(block.stream, { limit: 1 });
  const { ready, reason } = judgeStreamLag(block, sample);
  context.logger.info(reason);
  return { ready, rowsIn: 0, summary: reason };
};
