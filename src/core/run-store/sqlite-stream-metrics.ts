import type Database from 'better-sqlite3';
import { toInstant } from './instant.ts';
import { streamMetricColumns, streamMetricLimit, streamMetricRetentionMs, streamMetricValues, toStreamMetricSample, type StreamMetricQuery, type StreamMetricRow, type StreamMetricSample, type StreamMetricsStore } from './stream-metrics-store.ts';

/** The streaming metrics table (a SQLite migration). */
export const sqliteStreamMetricsMigration = `CREATE TABLE stream_metrics (
     pipeline TEXT NOT NULL,
     at TEXT NOT NULL,
     state TEXT NOT NULL,
     records_per_second REAL NOT NULL,
     rows INTEGER NOT NULL,
     latency_p50_ms REAL,
     latency_p95_ms REAL,
     latency_p99_ms REAL,
     lag INTEGER,
     dead_letters INTEGER NOT NULL,
     restarts INTEGER NOT NULL
   );
   CREATE INDEX stream_metrics_pipeline_at ON stream_metrics (pipeline, at);`;

/** Streaming metrics in the embedded run store's SQLite file. */
export class SqliteStreamMetrics implements StreamMetricsStore {
  constructor(private readonly db: Database.Database) {}

  async record(sample: StreamMetricSample): Promise<void> {
    const at = toInstant(sample.at, 'at');
    const cutoff = new Date(Date.parse(at) - streamMetricRetentionMs).toISOString();
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO stream_metrics (${streamMetricColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...streamMetricValues(sample, at));
      this.db.prepare(`DELETE FROM stream_metrics WHERE pipeline = ? AND at < ?`).run(sample.pipeline, cutoff);
    })();
  }

  async history(pipeline: string, query?: StreamMetricQuery): Promise<StreamMetricSample[]> {
    const since = query?.since === undefined ? '' : toInstant(query.since, 'since');
    const rows = this.db
      .prepare(`SELECT * FROM (SELECT * FROM stream_metrics WHERE pipeline = ? AND at >= ? ORDER BY at DESC LIMIT ?) ORDER BY at`)
      .all(pipeline, since, streamMetricLimit(query)) as StreamMetricRow[];
    return rows.map(toStreamMetricSample);
  }

  async latest(): Promise<StreamMetricSample[]> {
    const rows = this.db
      .prepare(`SELECT m.* FROM stream_metrics m JOIN (SELECT pipeline, max(at) AS at FROM stream_metrics GROUP BY pipeline) newest USING (pipeline, at) ORDER BY m.pipeline`)
      .all() as StreamMetricRow[];
    // Two samples of one instant (a stop right after a tick) keep one.
    return [...new Map(rows.map((r) => [r.pipeline, toStreamMetricSample(r)])).values()];
  }
}
