import { toSluiceError } from '../core/errors.ts';
import { listPipelines, pipelinePath } from '../core/pipeline/load-pipeline.ts';
import { describeSink } from '../core/pipeline/streaming-schema.ts';
import type { StreamMetricSample, StreamMetricsStore } from '../core/run-store/stream-metrics-store.ts';
import { isStreamingFile, loadStreamingPipeline } from './load-streaming-pipeline.ts';
import { readHeartbeats, type StreamHeartbeat } from './stream-heartbeat.ts';

/**
 * What a streaming pipeline is doing, as `sluice stream status` and the UI's
 * Streams page show it:
 * - `running`: its last heartbeat or sample says so and is fresh;
 * - `failing`: its last run failed (a supervisor restarts it with backoff),
 *   or it stopped sending samples while it said it was running;
 * - `stopped`: it stopped cleanly;
 * - `idle`: it never ran in this project.
 */
export type StreamDisplayState = 'running' | 'failing' | 'stopped' | 'idle';

export interface StreamOverview {
  readonly pipeline: string;
  readonly state: StreamDisplayState;
  /** The broker and where it reads, e.g. `redis_streams orders`; absent when the file does not load. */
  readonly source?: string | undefined;
  /** The sinks, as `connection table`. */
  readonly sinks: readonly string[];
  /** Whether `sluice serve` and `sluice scheduler` keep it running. */
  readonly supervised: boolean;
  readonly metricsIntervalMs: number;
  /** The heartbeat written by the process that runs it here (this machine's state folder). */
  readonly heartbeat?: StreamHeartbeat | undefined;
  /** The newest sample in the metadata store, from whichever process runs it. */
  readonly metrics?: StreamMetricSample | undefined;
  /** Why it fails, or why its file does not load. */
  readonly error?: string | undefined;
}

/** A sample this many intervals old, from a stream that said it was running, means its process is gone. */
const staleIntervals = 3;

/** Each streaming pipeline of the project, and each that left a heartbeat or samples, with its state. */
export async function readStreamOverview(root: string, stateDir: string, store: Pick<StreamMetricsStore, 'latest'>, now = Date.now()): Promise<StreamOverview[]> {
  const beats = new Map(readHeartbeats(stateDir).map((b) => [b.pipeline, b]));
  const samples = new Map((await store.latest()).map((s) => [s.pipeline, s]));
  const files = listPipelines(root).filter((name) => isStreamingFile(pipelinePath(root, name)));
  const names = [...new Set([...files, ...beats.keys(), ...samples.keys()])].sort();
  return names.map((name) => {
    const heartbeat = beats.get(name);
    const metrics = samples.get(name);
    let loaded: { source: string; sinks: string[]; supervised: boolean; intervalMs: number } | undefined;
    let fileError: string | undefined;
    if (files.includes(name)) {
      try {
        const { settings } = loadStreamingPipeline(root, name);
        const where = Object.entries(settings.source).find(([key]) => ['stream', 'queue', 'topic'].includes(key))?.[1];
        loaded = { source: `${settings.source.type}${where ? ` ${String(where)}` : ''}`, sinks: settings.sinks.map(describeSink), supervised: settings.supervise, intervalMs: settings.metrics_interval };
      } catch (error) {
        fileError = toSluiceError(error).message;
      }
    }
    const intervalMs = loaded?.intervalMs ?? 10_000;
    const { state, error } = judge(heartbeat, metrics, intervalMs, now);
    return {
      pipeline: name,
      state,
      source: loaded?.source,
      sinks: loaded?.sinks ?? [],
      supervised: loaded?.supervised ?? false,
      metricsIntervalMs: intervalMs,
      heartbeat,
      metrics,
      error: fileError ?? error,
    };
  });
}

function judge(heartbeat: StreamHeartbeat | undefined, sample: StreamMetricSample | undefined, intervalMs: number, now: number): { state: StreamDisplayState; error?: string | undefined } {
  // The newer of the two speaks: the heartbeat is this machine's, the sample any machine's.
  const beatAt = heartbeat ? Date.parse(heartbeat.updatedAt) : -Infinity;
  const sampleAt = sample ? Date.parse(sample.at) : -Infinity;
  if (heartbeat && beatAt >= sampleAt) {
    if (heartbeat.state === 'running') return { state: 'running' };
    return heartbeat.state === 'failed' ? { state: 'failing', error: heartbeat.error } : { state: 'stopped' };
  }
  if (!sample) return { state: 'idle' };
  if (sample.state === 'running') {
    return now - sampleAt > staleIntervals * intervalMs ? { state: 'failing', error: `no metrics since ${sample.at}: the process running it stopped without saying (killed?)` } : { state: 'running' };
  }
  return { state: sample.state === 'failed' ? 'failing' : 'stopped' };
}
