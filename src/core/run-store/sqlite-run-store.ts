import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { BlockRunRecord, DriftEventQuery, DriftEventRecord, FingerprintRecord, LogRecord, MetricHistoryQuery, MetricPointRecord, NewRunRecord, ProfileRecord, RunFilter, RunRecord, RunStatus, RunStore, SchemaEventRecord, SyncStateRecord } from './run-store.ts';
import type { CheckResultRecord } from '../quality/check-result.ts';
import { toCheckResult, type CheckResultRow } from './check-result-rows.ts';
import type { SerializedError } from '../errors.ts';
import { lostRunError, unclaimedRunGraceMs } from './lost-run.ts';
import { fencedWrite, staleClaim } from './fenced-write.ts';
import { runFilterConditions, runListConditions } from './run-filter-sql.ts';
import type { TouchedDataset } from '../lineage/touched-datasets.ts';
import { SqliteAuditLog, sqliteAuditMigration } from './sqlite-audit-log.ts';
import type { AuditLog } from './audit-log.ts';
import { SqliteUserStore, sqliteUsersMigration, sqliteSignInFailuresMigration } from './sqlite-user-store.ts';
import type { UserStore } from './user-store.ts';
import { SqliteStreamMetrics, sqliteStreamMetricsMigration } from './sqlite-stream-metrics.ts';
import type { StreamMetricsStore } from './stream-metrics-store.ts';
import { toDriftEvent, type DriftEventRow } from './drift-event-rows.ts';

/** Ordered, append-only: a store at version N applies migrations N+1.. on open. */
export const sqliteMigrations: readonly string[] = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     pipeline TEXT NOT NULL,
     status TEXT NOT NULL,
     pipeline_version TEXT NOT NULL,
     logical_date TEXT,
     variables TEXT NOT NULL,
     trigger TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     error TEXT
   );
   CREATE INDEX runs_pipeline_started ON runs (pipeline, started_at);
   CREATE TABLE block_runs (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     block TEXT NOT NULL,
     status TEXT NOT NULL,
     started_at TEXT,
     ended_at TEXT,
     rows_in INTEGER,
     rows_out INTEGER,
     output TEXT,
     columns TEXT,
     error TEXT,
     summary TEXT,
     PRIMARY KEY (run_id, block)
   );
   CREATE TABLE logs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL,
     block TEXT,
     level TEXT NOT NULL,
     message TEXT NOT NULL,
     at TEXT NOT NULL
   );
   CREATE INDEX logs_run ON logs (run_id, seq);`,
  // Crash safety: who runs a run and until when, coalesced triggers, leader leases.
  `ALTER TABLE runs ADD COLUMN dedupe_key TEXT;
   ALTER TABLE runs ADD COLUMN lease_owner TEXT;
   ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
   ALTER TABLE runs ADD COLUMN lease_expires_at TEXT;
   CREATE UNIQUE INDEX runs_dedupe_key ON runs (dedupe_key);
   CREATE INDEX runs_running ON runs (started_at) WHERE status = 'running';
   CREATE TABLE leases (
     name TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );`,
  // Retries: a run tried again is the same run, queued anew as its next attempt.
  `ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
   CREATE INDEX runs_queued ON runs (started_at, id) WHERE status = 'queued';`,
  // Integration pipelines: a mirror of each stream's state, and the schema changes syncs made.
  `CREATE TABLE sync_state (
     pipeline TEXT NOT NULL,
     stream TEXT NOT NULL,
     state TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (pipeline, stream)
   );
   CREATE TABLE schema_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     pipeline TEXT NOT NULL,
     stream TEXT NOT NULL,
     table_name TEXT NOT NULL,
     kind TEXT NOT NULL,
     detail TEXT NOT NULL,
     run_id TEXT,
     at TEXT NOT NULL
   );
   CREATE INDEX schema_events_pipeline ON schema_events (pipeline, seq);`,
  // Rows a block rejected, so a run with rejects never reads as a plain success.
  `ALTER TABLE block_runs ADD COLUMN rows_rejected INTEGER;`,
  // The runs list: backfills as one row each, and pages in start order however it is filtered.
  `ALTER TABLE runs ADD COLUMN backfill_id TEXT;
   CREATE INDEX runs_started ON runs (started_at);
   CREATE INDEX runs_status_started ON runs (status, started_at);
   CREATE INDEX runs_backfill ON runs (backfill_id, started_at);`,
  // Data quality: what each block run's checks found, and a profile of its output.
  `CREATE TABLE check_results (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     pipeline TEXT NOT NULL,
     block TEXT NOT NULL,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     kind TEXT NOT NULL,
     severity TEXT NOT NULL,
     status TEXT NOT NULL,
     failing_rows INTEGER,
     message TEXT NOT NULL,
     sample TEXT,
     at TEXT NOT NULL,
     PRIMARY KEY (run_id, block, name)
   );
   CREATE INDEX check_results_history ON check_results (pipeline, block, name, at);
   CREATE TABLE block_profiles (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     block TEXT NOT NULL,
     profile TEXT NOT NULL,
     PRIMARY KEY (run_id, block)
   );`,
  // Metric history: each block's row count, null rates and summed columns per run, and the detector's verdict.
  `CREATE TABLE metric_points (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     pipeline TEXT NOT NULL,
     block TEXT NOT NULL,
     metric TEXT NOT NULL,
     value REAL,
     date TEXT NOT NULL,
     at TEXT NOT NULL,
     verdict TEXT,
     anomaly INTEGER NOT NULL DEFAULT 0,
     marked_expected INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (run_id, block, metric)
   );
   CREATE INDEX metric_points_series ON metric_points (pipeline, block, metric, date, at);`,
  // The tables a TypeScript block's code read or wrote through its connections, as JSON.
  `ALTER TABLE block_runs ADD COLUMN datasets TEXT;`,
  // Drift: each succeeded block run's output fingerprint (the next run's baseline), and the drift found against it.
  `CREATE TABLE output_fingerprints (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     pipeline TEXT NOT NULL,
     block TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     at TEXT NOT NULL,
     PRIMARY KEY (run_id, block)
   );
   CREATE INDEX output_fingerprints_newest ON output_fingerprints (pipeline, block, at);
   CREATE TABLE drift_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     pipeline TEXT NOT NULL,
     block TEXT NOT NULL,
     column_name TEXT NOT NULL,
     kind TEXT NOT NULL,
     before TEXT,
     after TEXT,
     action TEXT NOT NULL,
     message TEXT NOT NULL,
     rows INTEGER,
     samples TEXT,
     at TEXT NOT NULL
   );
   CREATE INDEX drift_events_run ON drift_events (run_id, block);
   CREATE INDEX drift_events_pipeline ON drift_events (pipeline, at);`,
  // The audit log: who did what and when, append-only (triggers refuse UPDATE and DELETE).
  sqliteAuditMigration,
  // Users, their stored sessions and API keys.
  sqliteUsersMigration,
  // When a run's outputs were removed (data_plane.keep_runs), so each run after it prunes only runs not yet pruned.
  `ALTER TABLE runs ADD COLUMN outputs_pruned_at TEXT;`,
  // Streaming pipelines' metrics over time.
  sqliteStreamMetricsMigration,
  // Wrong passwords per name, so every server process on the store holds a guessed name alike.
  sqliteSignInFailuresMigration,
  // The fencing token of the queue claim that last wrote a block run, compared in the write itself.
  `ALTER TABLE block_runs ADD COLUMN fencing_token INTEGER;`,
];

/**
 * The embedded run store: one SQLite file, safe for several processes (WAL).
 * Writes that must be atomic across processes are single statements or
 * `BEGIN IMMEDIATE` transactions, which SQLite serialises on its write lock.
 */
export class SqliteRunStore implements RunStore {
  private readonly db: Database.Database;
  readonly audit: AuditLog;
  readonly users: UserStore;
  readonly streamMetrics: StreamMetricsStore;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.audit = new SqliteAuditLog(this.db);
    this.users = new SqliteUserStore(this.db);
    this.streamMetrics = new SqliteStreamMetrics(this.db);
  }

  private migrate(): void {
    const version = (): number => this.db.pragma('user_version', { simple: true }) as number;
    if (version() >= sqliteMigrations.length) return;
    // Read the version again under the write lock: another process may have migrated meanwhile.
    const apply = this.db.transaction(() => {
      for (let v = version(); v < sqliteMigrations.length; v++) this.db.exec(sqliteMigrations[v]!);
      this.db.pragma(`user_version = ${sqliteMigrations.length}`);
    });
    apply.immediate();
  }

  async createRun(run: NewRunRecord): Promise<void> {
    this.insertRun(run, false);
  }

  async createRunOnce(run: NewRunRecord): Promise<{ created: boolean; run: RunRecord }> {
    const once = this.db.transaction(() => {
      const created = this.insertRun(run, true);
      const row = (
        created || run.dedupeKey === undefined
          ? this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(run.id)
          : this.db.prepare(`SELECT * FROM runs WHERE dedupe_key = ?`).get(run.dedupeKey)
      ) as RunRow;
      return { created, run: toRun(row) };
    });
    return once.immediate();
  }

  /** Inserts a run; with `once`, a run whose dedupe key exists is not inserted and false returned. */
  private insertRun(run: NewRunRecord, once: boolean): boolean {
    const now = Date.now();
    const info = this.db
      .prepare(
        `INSERT INTO runs (id, pipeline, status, pipeline_version, logical_date, variables, trigger, started_at, dedupe_key, backfill_id,
           lease_owner, heartbeat_at, lease_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ${once ? 'ON CONFLICT (dedupe_key) DO NOTHING' : ''}`,
      )
      .run(
        run.id,
        run.pipeline,
        run.status ?? 'running',
        run.pipelineVersion,
        run.logicalDate ?? null,
        JSON.stringify(run.variables),
        run.trigger,
        run.startedAt,
        run.dedupeKey ?? null,
        run.backfillId ?? null,
        run.lease?.owner ?? null,
        run.lease ? new Date(now).toISOString() : null,
        run.lease ? new Date(now + run.lease.leaseMs).toISOString() : null,
      );
    return info.changes > 0;
  }

  async finishRun(id: string, status: RunStatus, error?: SerializedError): Promise<void> {
    this.db
      .prepare(`UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE id = ?`)
      .run(status, new Date().toISOString(), error ? JSON.stringify(error) : null, id);
  }

  async cancelRun(id: string): Promise<RunRecord | undefined> {
    const row = this.db
      .prepare(`UPDATE runs SET status = 'cancelled', ended_at = ? WHERE id = ? AND status IN ('queued', 'running') RETURNING *`)
      .get(new Date().toISOString(), id) as RunRow | undefined;
    return row && toRun(row);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.db.prepare(`SELECT *, ${rejectedSum} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const params: unknown[] = [];
    const where = runListConditions(filter, 'runs', 'runs', (value) => (params.push(value), '?'));
    const sql = `SELECT *, ${rejectedSum} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...params, filter.limit ?? 50, Math.max(0, filter.offset ?? 0)) as RunRow[];
    return rows.map(toRun);
  }

  async countRuns(filter: RunFilter = {}): Promise<Partial<Record<RunStatus, number>>> {
    const params: unknown[] = [];
    const where = runFilterConditions(filter, 'runs', (value) => (params.push(value), '?'));
    const rows = this.db
      .prepare(`SELECT status, count(*) AS n FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY status`)
      .all(...params) as { status: RunStatus; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  async upsertBlockRun(r: BlockRunRecord, fencingToken?: number): Promise<void> {
    const { changes } = this.db
      .prepare(
        `INSERT INTO block_runs (run_id, block, status, started_at, ended_at, rows_in, rows_out, rows_rejected, output, columns, error, summary, datasets, fencing_token)
         VALUES (@runId, @block, @status, @startedAt, @endedAt, @rowsIn, @rowsOut, @rowsRejected, @output, @columns, @error, @summary, @datasets, @fencingToken)
         ON CONFLICT (run_id, block) DO UPDATE SET
           status = excluded.status, started_at = coalesce(excluded.started_at, started_at), ended_at = excluded.ended_at,
           rows_in = excluded.rows_in, rows_out = excluded.rows_out, rows_rejected = excluded.rows_rejected, output = excluded.output,
           columns = excluded.columns, error = excluded.error, summary = excluded.summary, datasets = excluded.datasets,
           fencing_token = coalesce(excluded.fencing_token, fencing_token)
         WHERE ${fencedWrite('excluded.fencing_token', 'block_runs.fencing_token')}`,
      )
      .run({
        runId: r.runId,
        block: r.block,
        status: r.status,
        startedAt: r.startedAt ?? null,
        endedAt: r.endedAt ?? null,
        rowsIn: r.rowsIn ?? null,
        rowsOut: r.rowsOut ?? null,
        rowsRejected: r.rowsRejected ?? null,
        output: r.output ?? null,
        columns: r.columns ? JSON.stringify(r.columns) : null,
        error: r.error ? JSON.stringify(r.error) : null,
        summary: r.summary ?? null,
        datasets: r.datasets ? JSON.stringify(r.datasets) : null,
        fencingToken: fencingToken ?? null,
      });
    if (changes === 0) throw staleClaim(r, fencingToken);
  }

  async listBlockRuns(runId: string): Promise<BlockRunRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM block_runs WHERE run_id = ? ORDER BY started_at IS NULL, started_at, rowid`).all(runId) as BlockRunRow[];
    return rows.map(toBlockRun);
  }

  async latestOutput(pipeline: string, block: string): Promise<BlockRunRecord | undefined> {
    const row = this.db
      .prepare(
        `SELECT b.* FROM block_runs b JOIN runs r ON r.id = b.run_id
          WHERE r.pipeline = ? AND b.block = ? AND b.status = 'succeeded' AND b.output IS NOT NULL
          ORDER BY b.ended_at DESC, b.rowid DESC LIMIT 1`,
      )
      .get(pipeline, block) as BlockRunRow | undefined;
    return row && toBlockRun(row);
  }

  async latestDatasets(pipeline: string, block: string): Promise<readonly TouchedDataset[] | undefined> {
    const row = this.db
      .prepare(
        `SELECT b.datasets FROM block_runs b JOIN runs r ON r.id = b.run_id
          WHERE r.pipeline = ? AND b.block = ? AND b.status = 'succeeded' AND b.datasets IS NOT NULL
          ORDER BY b.ended_at DESC, b.rowid DESC LIMIT 1`,
      )
      .get(pipeline, block) as { datasets: string } | undefined;
    return row && (JSON.parse(row.datasets) as TouchedDataset[]);
  }

  async appendLog(record: LogRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO logs (run_id, block, level, message, at) VALUES (?, ?, ?, ?, ?)`)
      .run(record.runId, record.block ?? null, record.level, record.message, record.at);
  }

  async listLogs(runId: string, options: { block?: string; offset?: number } = {}): Promise<LogRecord[]> {
    const offset = Math.max(0, options.offset ?? 0);
    const rows = (
      options.block
        ? this.db.prepare(`SELECT * FROM logs WHERE run_id = ? AND block = ? ORDER BY seq LIMIT -1 OFFSET ?`).all(runId, options.block, offset)
        : this.db.prepare(`SELECT * FROM logs WHERE run_id = ? ORDER BY seq LIMIT -1 OFFSET ?`).all(runId, offset)
    ) as LogRow[];
    return rows.map((r) => ({ runId: r.run_id, block: r.block ?? undefined, level: r.level as LogRecord['level'], message: r.message, at: r.at }));
  }

  async runsBeyond(pipeline: string, keep: number): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT id FROM (SELECT id, status, outputs_pruned_at, started_at, rowid AS seq FROM runs WHERE pipeline = ? ORDER BY started_at DESC, rowid DESC LIMIT -1 OFFSET ?)
          WHERE outputs_pruned_at IS NULL AND status NOT IN ('queued', 'running') ORDER BY started_at, seq`,
      )
      .all(pipeline, Math.max(0, keep)) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async recordOutputsPruned(runIds: readonly string[]): Promise<void> {
    const mark = this.db.prepare(`UPDATE runs SET outputs_pruned_at = ? WHERE id = ? AND status NOT IN ('queued', 'running')`);
    const now = new Date().toISOString();
    this.db.transaction(() => runIds.forEach((id) => mark.run(now, id)))();
  }

  async heartbeat(runId: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const info = this.db
      .prepare(`UPDATE runs SET lease_owner = ?, heartbeat_at = ?, lease_expires_at = ? WHERE id = ? AND status = 'running'`)
      .run(owner, new Date(now).toISOString(), new Date(now + leaseMs).toISOString(), runId);
    return info.changes > 0;
  }

  async reapLostRuns(now: Date = new Date()): Promise<RunRecord[]> {
    const at = now.toISOString();
    const unclaimedBefore = new Date(now.getTime() - unclaimedRunGraceMs).toISOString();
    const reap = this.db.transaction(() => {
      const lost = this.db
        .prepare(
          `SELECT * FROM runs
            WHERE status = 'running'
              AND (lease_expires_at <= ? OR (lease_expires_at IS NULL AND started_at < ?))
            ORDER BY started_at, rowid`,
        )
        .all(at, unclaimedBefore) as RunRow[];
      const fail = this.db.prepare(`UPDATE runs SET status = 'failed', ended_at = ?, error = ? WHERE id = ?`);
      return lost.map((row): RunRecord => {
        const error = lostRunError(row.heartbeat_at ?? row.started_at);
        fail.run(at, JSON.stringify(error), row.id);
        return { ...toRun(row), status: 'failed', endedAt: at, error };
      });
    });
    return reap.immediate();
  }

  async claimQueuedRun(owner: string, leaseMs: number): Promise<RunRecord | undefined> {
    const now = Date.now();
    const claim = this.db.transaction(() => {
      const next = this.db
        .prepare(`SELECT id FROM runs WHERE status = 'queued' ORDER BY started_at, id LIMIT 1`)
        .get() as { id: string } | undefined;
      if (!next) return undefined;
      return this.db
        .prepare(
          `UPDATE runs SET status = 'running', lease_owner = ?, heartbeat_at = ?, lease_expires_at = ?
            WHERE id = ? AND status = 'queued' RETURNING *`,
        )
        .get(owner, new Date(now).toISOString(), new Date(now + leaseMs).toISOString(), next.id) as RunRow | undefined;
    });
    // IMMEDIATE takes the write lock before reading, so no other process can claim the same run.
    const row = claim.immediate();
    return row && toRun(row);
  }

  async requeueRun(id: string, claim?: { readonly owner: string; readonly leaseMs: number }): Promise<RunRecord | undefined> {
    const now = Date.now();
    const requeue = this.db.transaction(() => {
      const row = this.db
        .prepare(
          `UPDATE runs SET status = ?, attempt = attempt + 1, ended_at = NULL, error = NULL, outputs_pruned_at = NULL,
                  lease_owner = ?, heartbeat_at = ?, lease_expires_at = ?
            WHERE id = ? AND status IN ('failed', 'cancelled') RETURNING *`,
        )
        .get(
          claim ? 'running' : 'queued',
          claim?.owner ?? null,
          claim ? new Date(now).toISOString() : null,
          claim ? new Date(now + claim.leaseMs).toISOString() : null,
          id,
        ) as RunRow | undefined;
      if (row) {
        this.db
          .prepare(
            `UPDATE block_runs SET status = 'pending', started_at = NULL, ended_at = NULL, rows_in = NULL, rows_out = NULL, rows_rejected = NULL,
                    output = NULL, columns = NULL, error = NULL, summary = NULL, datasets = NULL
              WHERE run_id = ? AND status <> 'succeeded'`,
          )
          .run(id);
      }
      return row;
    });
    const row = requeue.immediate();
    return row && toRun(row);
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const info = this.db
      .prepare(
        `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
          WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`,
      )
      .run(name, owner, new Date(now + ttlMs).toISOString(), new Date(now).toISOString());
    return info.changes > 0;
  }

  async releaseLease(name: string, owner: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM leases WHERE name = ? AND owner = ?`).run(name, owner).changes > 0;
  }

  async putSyncState(record: SyncStateRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO sync_state (pipeline, stream, state, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (pipeline, stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`)
      .run(record.pipeline, record.stream, JSON.stringify(record.state), record.updatedAt);
  }

  async listSyncState(pipeline: string): Promise<SyncStateRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM sync_state WHERE pipeline = ? ORDER BY stream`).all(pipeline) as { pipeline: string; stream: string; state: string; updated_at: string }[];
    return rows.map((r) => ({ pipeline: r.pipeline, stream: r.stream, state: JSON.parse(r.state) as Record<string, unknown>, updatedAt: r.updated_at }));
  }

  async deleteSyncState(pipeline: string, stream?: string): Promise<void> {
    if (stream === undefined) this.db.prepare(`DELETE FROM sync_state WHERE pipeline = ?`).run(pipeline);
    else this.db.prepare(`DELETE FROM sync_state WHERE pipeline = ? AND stream = ?`).run(pipeline, stream);
  }

  async appendSchemaEvent(event: SchemaEventRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO schema_events (pipeline, stream, table_name, kind, detail, run_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(event.pipeline, event.stream, event.table, event.kind, event.detail, event.runId ?? null, event.at);
  }

  async listSchemaEvents(pipeline: string): Promise<SchemaEventRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM schema_events WHERE pipeline = ? ORDER BY seq`).all(pipeline) as SchemaEventRow[];
    return rows.map((r) => ({ pipeline: r.pipeline, stream: r.stream, table: r.table_name, kind: r.kind, detail: r.detail, runId: r.run_id ?? undefined, at: r.at }));
  }

  async putCheckResults(runId: string, block: string, results: readonly CheckResultRecord[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO check_results (run_id, pipeline, block, position, name, kind, severity, status, failing_rows, message, sample, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const replace = this.db.transaction(() => {
      this.db.prepare(`DELETE FROM check_results WHERE run_id = ? AND block = ?`).run(runId, block);
      results.forEach((r, position) =>
        insert.run(runId, r.pipeline, block, position, r.name, r.kind, r.severity, r.status, r.failingRows ?? null, r.message, r.sample ? JSON.stringify(r.sample) : null, r.at),
      );
    });
    replace.immediate();
  }

  async listCheckResults(runId: string): Promise<CheckResultRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM check_results WHERE run_id = ? ORDER BY block, position`).all(runId) as CheckResultRow[];
    return rows.map(toCheckResult);
  }

  async checkHistory(pipeline: string, block: string, check: string, limit = 50): Promise<CheckResultRecord[]> {
    const rows = this.db
      .prepare(`SELECT * FROM check_results WHERE pipeline = ? AND block = ? AND name = ? ORDER BY at DESC, rowid DESC LIMIT ?`)
      .all(pipeline, block, check, limit) as CheckResultRow[];
    return rows.map(toCheckResult);
  }

  async putProfile(record: ProfileRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO block_profiles (run_id, block, profile) VALUES (?, ?, ?) ON CONFLICT (run_id, block) DO UPDATE SET profile = excluded.profile`)
      .run(record.runId, record.block, JSON.stringify(record.profile));
  }

  async getProfile(runId: string, block: string): Promise<ProfileRecord | undefined> {
    const row = this.db.prepare(`SELECT profile FROM block_profiles WHERE run_id = ? AND block = ?`).get(runId, block) as { profile: string } | undefined;
    return row && { runId, block, profile: JSON.parse(row.profile) as ProfileRecord['profile'] };
  }

  async putMetricPoints(points: readonly MetricPointRecord[]): Promise<void> {
    const put = this.db.prepare(
      `INSERT INTO metric_points (run_id, pipeline, block, metric, value, date, at, verdict, anomaly, marked_expected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, block, metric) DO UPDATE SET value = excluded.value, date = excluded.date, at = excluded.at,
         verdict = excluded.verdict, anomaly = excluded.anomaly, marked_expected = excluded.marked_expected`,
    );
    this.db.transaction(() => {
      for (const p of points) {
        put.run(p.runId, p.pipeline, p.block, p.metric, p.value, p.date, p.at, p.verdict ? JSON.stringify(p.verdict) : null, p.verdict?.anomaly ? 1 : 0, p.markedExpected ? 1 : 0);
      }
    })();
  }

  async listMetricHistory(pipeline: string, block: string, query: MetricHistoryQuery = {}): Promise<MetricPointRecord[]> {
    const conditions = ['pipeline = ?', 'block = ?'];
    const params: unknown[] = [pipeline, block];
    if (query.metric !== undefined) {
      conditions.push('metric = ?');
      params.push(query.metric);
    }
    if (query.before) {
      conditions.push('run_id <> ?', '(date < ? OR (date = ? AND at < ?))');
      params.push(query.before.runId, query.before.date, query.before.date, query.before.at);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY metric ORDER BY date DESC, at DESC) AS newest
                        FROM metric_points WHERE ${conditions.join(' AND ')})
         WHERE newest <= ? ORDER BY metric, date, at`,
      )
      .all(...params, query.limit ?? 90) as MetricPointRow[];
    return rows.map(toMetricPoint);
  }

  async listRunMetricPoints(runId: string): Promise<MetricPointRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM metric_points WHERE run_id = ? ORDER BY block, metric`).all(runId) as MetricPointRow[];
    return rows.map(toMetricPoint);
  }

  async markMetricExpected(runId: string, block: string, metric: string): Promise<MetricPointRecord | undefined> {
    const row = this.db
      .prepare(`UPDATE metric_points SET marked_expected = 1 WHERE run_id = ? AND block = ? AND metric = ? RETURNING *`)
      .get(runId, block, metric) as MetricPointRow | undefined;
    return row && toMetricPoint(row);
  }

  async putFingerprint(record: FingerprintRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO output_fingerprints (run_id, pipeline, block, fingerprint, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, block) DO UPDATE SET fingerprint = excluded.fingerprint, at = excluded.at`,
      )
      .run(record.runId, record.pipeline, record.block, JSON.stringify(record.fingerprint), record.at);
  }

  async baselineFingerprint(pipeline: string, block: string, exceptRunId: string): Promise<FingerprintRecord | undefined> {
    const row = this.db
      .prepare(`SELECT * FROM output_fingerprints WHERE pipeline = ? AND block = ? AND run_id <> ? ORDER BY at DESC, rowid DESC LIMIT 1`)
      .get(pipeline, block, exceptRunId) as { run_id: string; pipeline: string; block: string; fingerprint: string; at: string } | undefined;
    return row && { runId: row.run_id, pipeline: row.pipeline, block: row.block, fingerprint: JSON.parse(row.fingerprint) as FingerprintRecord['fingerprint'], at: row.at };
  }

  async putDriftEvents(runId: string, block: string, events: readonly DriftEventRecord[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO drift_events (run_id, pipeline, block, column_name, kind, before, after, action, message, rows, samples, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const replace = this.db.transaction(() => {
      this.db.prepare(`DELETE FROM drift_events WHERE run_id = ? AND block = ?`).run(runId, block);
      for (const e of events) {
        insert.run(runId, e.pipeline, block, e.column, e.kind, e.before ?? null, e.after ?? null, e.action, e.message, e.rows ?? null, e.samples ? JSON.stringify(e.samples) : null, e.at);
      }
    });
    replace.immediate();
  }

  async listDriftEvents(query: DriftEventQuery = {}): Promise<DriftEventRecord[]> {
    const conditions = ['1 = 1'];
    const params: unknown[] = [];
    if (query.pipeline !== undefined) {
      conditions.push('pipeline = ?');
      params.push(query.pipeline);
    }
    if (query.runId !== undefined) {
      conditions.push('run_id = ?');
      params.push(query.runId);
    }
    const rows = this.db
      .prepare(`SELECT * FROM drift_events WHERE ${conditions.join(' AND ')} ORDER BY at DESC, seq LIMIT ?`)
      .all(...params, query.limit ?? 100) as (Omit<DriftEventRow, 'samples'> & { samples: string | null })[];
    return rows.map((r) => toDriftEvent({ ...r, samples: r.samples ? (JSON.parse(r.samples) as DriftEventRow['samples']) : null }));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

interface MetricPointRow {
  run_id: string;
  pipeline: string;
  block: string;
  metric: string;
  value: number | null;
  date: string;
  at: string;
  verdict: string | null;
  marked_expected: number;
}

function toMetricPoint(r: MetricPointRow): MetricPointRecord {
  return {
    runId: r.run_id,
    pipeline: r.pipeline,
    block: r.block,
    metric: r.metric,
    value: r.value,
    date: r.date,
    at: r.at,
    ...(r.verdict ? { verdict: JSON.parse(r.verdict) as MetricPointRecord['verdict'] } : {}),
    markedExpected: r.marked_expected === 1,
  };
}

interface SchemaEventRow {
  pipeline: string;
  stream: string;
  table_name: string;
  kind: string;
  detail: string;
  run_id: string | null;
  at: string;
}

/** A run's rejected rows: the sum over its block runs. */
const rejectedSum = '(SELECT sum(b.rows_rejected) FROM block_runs b WHERE b.run_id = runs.id) AS rows_rejected';

interface RunRow {
  id: string;
  pipeline: string;
  status: string;
  pipeline_version: string;
  logical_date: string | null;
  variables: string;
  trigger: string;
  started_at: string;
  ended_at: string | null;
  error: string | null;
  dedupe_key: string | null;
  heartbeat_at: string | null;
  lease_owner: string | null;
  backfill_id: string | null;
  attempt: number;
  rows_rejected?: number | null;
}

interface BlockRunRow {
  run_id: string;
  block: string;
  status: string;
  started_at: string | null;
  ended_at: string | null;
  rows_in: number | null;
  rows_out: number | null;
  rows_rejected: number | null;
  output: string | null;
  columns: string | null;
  error: string | null;
  summary: string | null;
  datasets: string | null;
}

interface LogRow {
  run_id: string;
  block: string | null;
  level: string;
  message: string;
  at: string;
}

function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    pipeline: r.pipeline,
    status: r.status as RunStatus,
    pipelineVersion: r.pipeline_version,
    logicalDate: r.logical_date ?? undefined,
    variables: JSON.parse(r.variables) as Record<string, unknown>,
    trigger: r.trigger,
    startedAt: r.started_at,
    endedAt: r.ended_at ?? undefined,
    error: r.error ? (JSON.parse(r.error) as SerializedError) : undefined,
    dedupeKey: r.dedupe_key ?? undefined,
    attempt: r.attempt,
    // Only present when there were rejects, so a record reads the same as before the count existed.
    ...(r.rows_rejected ? { rowsRejected: r.rows_rejected } : {}),
    ...(r.backfill_id ? { backfillId: r.backfill_id } : {}),
    ...(r.lease_owner ? { leaseOwner: r.lease_owner } : {}),
    ...(r.heartbeat_at ? { heartbeatAt: r.heartbeat_at } : {}),
  };
}

function toBlockRun(r: BlockRunRow): BlockRunRecord {
  return {
    runId: r.run_id,
    block: r.block,
    status: r.status as BlockRunRecord['status'],
    startedAt: r.started_at ?? undefined,
    endedAt: r.ended_at ?? undefined,
    rowsIn: r.rows_in ?? undefined,
    rowsOut: r.rows_out ?? undefined,
    ...(r.rows_rejected ? { rowsRejected: r.rows_rejected } : {}),
    output: r.output ?? undefined,
    columns: r.columns ? (JSON.parse(r.columns) as BlockRunRecord['columns']) : undefined,
    error: r.error ? (JSON.parse(r.error) as SerializedError) : undefined,
    summary: r.summary ?? undefined,
    ...(r.datasets ? { datasets: JSON.parse(r.datasets) as TouchedDataset[] } : {}),
  };
}
