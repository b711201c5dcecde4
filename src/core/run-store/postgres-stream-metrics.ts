import type { Pool } from 'pg';
import { toInstant } from './instant.ts';
import { streamMetricColumns, streamMetricLimit, streamMetricRetentionMs, streamMetricValues, toStreamMetricSample, type StreamMetricQuery, type StreamMetricRow, type StreamMetricSample, type StreamMetricsStore } from './stream-metrics-store.ts';

/** The streaming metrics table (a PostgreSQL migration). */
export const postgresStreamMetricsMigration = (s: string): string => `
    CREATE TABLE ${s}.stream_metrics (
      pipeline text NOT NULL,
      at timestamptz NOT NULL,
      state text NOT NULL,
      records_per_second double precision NOT NULL,
      rows bigint NOT NULL,
      latency_p50_ms double precision,
      latency_p95_ms double precision,
      latency_p99_ms double precision,
      lag bigint,
      dead_letters bigint NOT NULL,
      restarts integer NOT NULL
    );
    CREATE INDEX stream_metrics_pipeline_at ON ${s}.stream_metrics (pipeline, at);`;

/** Streaming metrics in the PostgreSQL run store's schema. */
export class PostgresStreamMetrics implements StreamMetricsStore {
  private readonly table: string;

  /** `schema` is quoted already. */
  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.table = `${schema}.stream_metrics`;
  }

  async record(sample: StreamMetricSample): Promise<void> {
    const at = toInstant(sample.at, 'at');
    // One statement: the insert and the prune commit together.
    await this.pool.query(
      `WITH pruned AS (DELETE FROM ${this.table} WHERE pipeline = $1 AND at < $12::timestamptz)
       INSERT INTO ${this.table} (${streamMetricColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [...streamMetricValues(sample, at), new Date(Date.parse(at) - streamMetricRetentionMs).toISOString()],
    );
  }

  async history(pipeline: string, query?: StreamMetricQuery): Promise<StreamMetricSample[]> {
    const since = query?.since === undefined ? null : toInstant(query.since, 'since');
    const result = await this.pool.query<StreamMetricRow>(
      `SELECT * FROM (SELECT * FROM ${this.table} WHERE pipeline = $1 AND ($2::timestamptz IS NULL OR at >= $2) ORDER BY at DESC LIMIT $3) newest ORDER BY at`,
      [pipeline, since, streamMetricLimit(query)],
    );
    return result.rows.map(toStreamMetricSample);
  }

  async latest(): Promise<StreamMetricSample[]> {
    const result = await this.pool.query<StreamMetricRow>(`SELECT DISTINCT ON (pipeline) * FROM ${this.table} ORDER BY pipeline, at DESC`);
    return result.rows.map(toStreamMetricSample);
  }
}
