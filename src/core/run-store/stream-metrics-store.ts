/**
 * Streaming pipelines' metrics over time: each running stream records a
 * sample at a fixed interval (records per second, publish-to-commit latency
 * percentiles, broker lag, dead letters, restarts), kept in the metadata store
 * beside run history so `sluice stream status`, the UI's chart and a lag
 * sensor read the same figures whichever process runs the stream. Samples
 * older than the retention are pruned as new ones arrive.
 */

export type StreamSampleState = 'running' | 'stopped' | 'failed';

export interface StreamMetricSample {
  readonly pipeline: string;
  /** When the sample was taken, ISO 8601 UTC. */
  readonly at: string;
  readonly state: StreamSampleState;
  /** Rows committed per second over the sample's interval. */
  readonly recordsPerSecond: number;
  /** Rows committed since the stream started (this run). */
  readonly rows: number;
  /** Publish-to-commit latency of the messages committed in the interval, ms; absent when none were or the broker gives no publish time. */
  readonly latencyP50Ms?: number | undefined;
  readonly latencyP95Ms?: number | undefined;
  readonly latencyP99Ms?: number | undefined;
  /** Messages waiting in the broker for the pipeline, when the broker tells. */
  readonly lag?: number | undefined;
  /** Dead letters written since the stream started (this run). */
  readonly deadLetters: number;
  /** Restarts by `sluice serve` or `sluice scheduler` since it took the stream. */
  readonly restarts: number;
}

export interface StreamMetricQuery {
  /** Samples at or after this instant. */
  readonly since?: string | undefined;
  /** The newest this many (default and most: 2,000), returned oldest first. */
  readonly limit?: number | undefined;
}

export const defaultStreamMetricLimit = 2000;
/** How long samples are kept: a week of 10-second samples is about 60,000 rows per stream. */
export const streamMetricRetentionMs = 7 * 24 * 3_600_000;

export interface StreamMetricsStore {
  /** Appends a sample and prunes the pipeline's samples older than the retention. */
  record(sample: StreamMetricSample): Promise<void>;
  /** The pipeline's samples, oldest first. */
  history(pipeline: string, query?: StreamMetricQuery): Promise<StreamMetricSample[]>;
  /** The newest sample of each pipeline that has one. */
  latest(): Promise<StreamMetricSample[]>;
}

/** The limit a query asks for, bounded. */
export function streamMetricLimit(query: StreamMetricQuery | undefined): number {
  const limit = query?.limit ?? defaultStreamMetricLimit;
  return Math.max(1, Math.min(defaultStreamMetricLimit, Math.floor(limit)));
}

/** A stored row's columns, the same in both stores. */
export interface StreamMetricRow {
  pipeline: string;
  at: string | Date;
  state: string;
  records_per_second: number | string;
  rows: number | string;
  latency_p50_ms: number | string | null;
  latency_p95_ms: number | string | null;
  latency_p99_ms: number | string | null;
  lag: number | string | null;
  dead_letters: number | string;
  restarts: number | string;
}

export function toStreamMetricSample(r: StreamMetricRow): StreamMetricSample {
  const optional = (v: number | string | null) => (v === null ? undefined : Number(v));
  return {
    pipeline: r.pipeline,
    at: r.at instanceof Date ? r.at.toISOString() : r.at,
    state: r.state as StreamSampleState,
    recordsPerSecond: Number(r.records_per_second),
    rows: Number(r.rows),
    latencyP50Ms: optional(r.latency_p50_ms),
    latencyP95Ms: optional(r.latency_p95_ms),
    latencyP99Ms: optional(r.latency_p99_ms),
    lag: optional(r.lag),
    deadLetters: Number(r.dead_letters),
    restarts: Number(r.restarts),
  };
}

/** The values of an INSERT, in column order. */
export function streamMetricValues(s: StreamMetricSample, at: string): unknown[] {
  return [s.pipeline, at, s.state, s.recordsPerSecond, s.rows, s.latencyP50Ms ?? null, s.latencyP95Ms ?? null, s.latencyP99Ms ?? null, s.lag ?? null, s.deadLetters, s.restarts];
}

export const streamMetricColumns = 'pipeline, at, state, records_per_second, rows, latency_p50_ms, latency_p95_ms, latency_p99_ms, lag, dead_letters, restarts';
