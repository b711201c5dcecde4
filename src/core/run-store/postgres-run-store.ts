import type { Pool, PoolClient } from 'pg';
import { SluiceError, type SerializedError } from '../errors.ts';
import { quoteIdent } from '../sql/quote.ts';
import { preparedQuery } from '../sql/prepared-query.ts';
import { lostRunError, unclaimedRunGraceMs } from './lost-run.ts';
import { runFilterConditions, runListConditions } from './run-filter-sql.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { fencedWrite, staleClaim } from './fenced-write.ts';
import { iso, toBlockRun, toLog, toRun, type BlockRunRow, type LogRow, type RunRow } from './postgres-rows.ts';
import type { BlockRunRecord, DriftEventQuery, DriftEventRecord, FingerprintRecord, LogRecord, MetricHistoryQuery, MetricPointRecord, NewRunRecord, ProfileRecord, RunFilter, RunRecord, RunStatus, RunStore, SchemaEventRecord, SyncStateRecord } from './run-store.ts';
import type { CheckResultRecord } from '../quality/check-result.ts';
import { toCheckResult, type CheckResultRow } from './check-result-rows.ts';
import type { TouchedDataset } from '../lineage/touched-datasets.ts';
import { PostgresAuditLog } from './postgres-audit-log.ts';
import type { AuditLog } from './audit-log.ts';
import { PostgresStreamMetrics } from './postgres-stream-metrics.ts';
import type { StreamMetricsStore } from './stream-metrics-store.ts';
import { PostgresUserStore } from './postgres-user-store.ts';
import type { UserStore } from './user-store.ts';
import { toDriftEvent, type DriftEventRow } from './drift-event-rows.ts';

export interface PostgresRunStoreOptions {
  /** The schema holding the store's tables, created on open; `sluice` by default. */
  readonly schema?: string;
}

/**
 * The run store for many processes and machines: run history in PostgreSQL.
 * Leases and heartbeats use the server's clock, so machines whose clocks
 * disagree still agree on when a lease ran out.
 *
 * @example
 * const store = await PostgresRunStore.open(process.env.SLUICE_METADATA_URL!, { schema: 'sluice' });
 */
export class PostgresRunStore implements RunStore {
  private closed = false;
  private readonly runs: string;
  private readonly blockRuns: string;
  /** A run's rejected rows: the sum over its block runs. */
  private readonly rejectedSum: string;
  private readonly logs: string;
  private readonly leases: string;
  /** The quoted schema, for the tables integration pipelines use. */
  private readonly schema: string;
  readonly audit: AuditLog;
  readonly users: UserStore;
  readonly streamMetrics: StreamMetricsStore;

  private constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    const s = quoteIdent(schema);
    this.schema = s;
    this.runs = `${s}.runs`;
    this.blockRuns = `${s}.block_runs`;
    this.rejectedSum = `(SELECT sum(b.rows_rejected) FROM ${s}.block_runs b WHERE b.run_id = runs.id) AS rows_rejected`;
    this.logs = `${s}.logs`;
    this.leases = `${s}.leases`;
    this.audit = new PostgresAuditLog(pool, s);
    this.users = new PostgresUserStore(pool, s);
    this.streamMetrics = new PostgresStreamMetrics(pool, s);
  }

  /** Connects, creates the schema and applies pending migrations. The driver loads here. */
  static async open(url: string, options: PostgresRunStoreOptions = {}): Promise<PostgresRunStore> {
    const schema = options.schema ?? 'sluice';
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 10_000, application_name: 'sluice run store' });
    // A dropped idle session is replaced on next use; the query that needs it reports any real failure.
    pool.on('error', () => undefined);
    // A lent session cut mid-statement would otherwise emit an unhandled 'error' and end a server; the statement reports it.
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, schema);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw openError(error, url, schema);
    }
    return new PostgresRunStore(pool, schema);
  }

  async createRun(run: NewRunRecord): Promise<void> {
    await this.insertRun(run, false);
  }

  async createRunOnce(run: NewRunRecord): Promise<{ created: boolean; run: RunRecord }> {
    const inserted = await this.insertRun(run, true);
    if (inserted) return { created: true, run: inserted };
    const existing = await this.pool.query<RunRow>(`SELECT * FROM ${this.runs} WHERE dedupe_key = $1`, [run.dedupeKey]);
    // ON CONFLICT waited for the other insert to commit, so the run it conflicted with is visible now.
    return { created: false, run: toRun(existing.rows[0]!) };
  }

  /** Inserts a run and returns it; with `once`, returns nothing when its dedupe key exists. */
  private async insertRun(run: NewRunRecord, once: boolean): Promise<RunRecord | undefined> {
    const result = await this.pool.query<RunRow>(
      `INSERT INTO ${this.runs} (id, pipeline, status, pipeline_version, logical_date, variables, "trigger", started_at, dedupe_key, backfill_id,
         lease_owner, heartbeat_at, lease_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11::text,
         CASE WHEN $11::text IS NULL THEN NULL ELSE now() END,
         CASE WHEN $11::text IS NULL THEN NULL ELSE now() + $12::float8 * interval '1 millisecond' END)
       ${once ? 'ON CONFLICT (dedupe_key) DO NOTHING' : ''} RETURNING *`,
      [
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
        run.lease?.leaseMs ?? null,
      ],
    );
    return result.rows[0] && toRun(result.rows[0]);
  }

  async finishRun(id: string, status: RunStatus, error?: SerializedError): Promise<void> {
    // The client's clock, like startedAt, so a run's duration comes from one clock.
    await this.pool.query(preparedQuery(`UPDATE ${this.runs} SET status = $1, ended_at = $2, error = $3::jsonb WHERE id = $4`, [
      status,
      new Date().toISOString(),
      error ? JSON.stringify(error) : null,
      id,
    ]));
  }

  async cancelRun(id: string): Promise<RunRecord | undefined> {
    const result = await this.pool.query<RunRow>(
      `UPDATE ${this.runs} SET status = 'cancelled', ended_at = $1 WHERE id = $2 AND status IN ('queued', 'running') RETURNING *`,
      [new Date().toISOString(), id],
    );
    return result.rows[0] && toRun(result.rows[0]);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const result = await this.pool.query<RunRow>(`SELECT *, ${this.rejectedSum} FROM ${this.runs} WHERE id = $1`, [id]);
    return result.rows[0] && toRun(result.rows[0]);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    const where = runListConditions(filter, 'runs', this.runs, param);
    // A negative limit means no limit, as it does in SQLite.
    const limit = filter.limit === undefined ? 50 : filter.limit < 0 ? null : filter.limit;
    const result = await this.pool.query<RunRow>(
      `SELECT *, ${this.rejectedSum} FROM ${this.runs} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY started_at DESC, seq DESC LIMIT ${param(limit)} OFFSET ${param(Math.max(0, filter.offset ?? 0))}`,
      params,
    );
    return result.rows.map(toRun);
  }

  async countRuns(filter: RunFilter = {}): Promise<Partial<Record<RunStatus, number>>> {
    const params: unknown[] = [];
    const where = runFilterConditions(filter, 'runs', (value) => `$${params.push(value)}`);
    const result = await this.pool.query<{ status: RunStatus; n: string }>(
      `SELECT status, count(*) AS n FROM ${this.runs} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY status`,
      params,
    );
    return Object.fromEntries(result.rows.map((r) => [r.status, Number(r.n)]));
  }

  async upsertBlockRun(r: BlockRunRecord, fencingToken?: number): Promise<void> {
    const { rowCount } = await this.pool.query(
      preparedQuery(`INSERT INTO ${this.blockRuns} (run_id, block, status, started_at, ended_at, rows_in, rows_out, output, columns, error, summary, rows_rejected, datasets, fencing_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13::jsonb, $14)
       ON CONFLICT (run_id, block) DO UPDATE SET
         status = excluded.status, started_at = coalesce(excluded.started_at, block_runs.started_at), ended_at = excluded.ended_at,
         rows_in = excluded.rows_in, rows_out = excluded.rows_out, rows_rejected = excluded.rows_rejected, output = excluded.output,
         columns = excluded.columns, error = excluded.error, summary = excluded.summary, datasets = excluded.datasets,
         fencing_token = coalesce(excluded.fencing_token, block_runs.fencing_token)
       WHERE ${fencedWrite('excluded.fencing_token', 'block_runs.fencing_token')}`, [
        r.runId,
        r.block,
        r.status,
        r.startedAt ?? null,
        r.endedAt ?? null,
        r.rowsIn ?? null,
        r.rowsOut ?? null,
        r.output ?? null,
        r.columns ? JSON.stringify(r.columns) : null,
        r.error ? JSON.stringify(r.error) : null,
        r.summary ?? null,
        r.rowsRejected ?? null,
        r.datasets ? JSON.stringify(r.datasets) : null,
        fencingToken ?? null,
      ]),
    );
    if (rowCount === 0) throw staleClaim(r, fencingToken);
  }

  async listBlockRuns(runId: string): Promise<BlockRunRecord[]> {
    const result = await this.pool.query<BlockRunRow>(
      `SELECT * FROM ${this.blockRuns} WHERE run_id = $1 ORDER BY started_at ASC NULLS LAST, seq`,
      [runId],
    );
    return result.rows.map(toBlockRun);
  }

  async latestOutput(pipeline: string, block: string): Promise<BlockRunRecord | undefined> {
    const result = await this.pool.query<BlockRunRow>(
      `SELECT b.* FROM ${this.blockRuns} b JOIN ${this.runs} r ON r.id = b.run_id
        WHERE r.pipeline = $1 AND b.block = $2 AND b.status = 'succeeded' AND b.output IS NOT NULL
        ORDER BY b.ended_at DESC NULLS LAST, b.seq DESC LIMIT 1`,
      [pipeline, block],
    );
    return result.rows[0] && toBlockRun(result.rows[0]);
  }

  async latestDatasets(pipeline: string, block: string): Promise<readonly TouchedDataset[] | undefined> {
    const result = await this.pool.query<{ datasets: TouchedDataset[] }>(
      `SELECT b.datasets FROM ${this.blockRuns} b JOIN ${this.runs} r ON r.id = b.run_id
        WHERE r.pipeline = $1 AND b.block = $2 AND b.status = 'succeeded' AND b.datasets IS NOT NULL
        ORDER BY b.ended_at DESC NULLS LAST, b.seq DESC LIMIT 1`,
      [pipeline, block],
    );
    return result.rows[0]?.datasets;
  }

  async appendLog(record: LogRecord): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.logs} (run_id, block, level, message, at) VALUES ($1, $2, $3, $4, $5)`, [
      record.runId,
      record.block ?? null,
      record.level,
      record.message,
      record.at,
    ]);
  }

  async listLogs(runId: string, options: { block?: string; offset?: number } = {}): Promise<LogRecord[]> {
    const offset = Math.max(0, options.offset ?? 0);
    const result = options.block
      ? await this.pool.query<LogRow>(`SELECT * FROM ${this.logs} WHERE run_id = $1 AND block = $2 ORDER BY seq OFFSET $3`, [runId, options.block, offset])
      : await this.pool.query<LogRow>(`SELECT * FROM ${this.logs} WHERE run_id = $1 ORDER BY seq OFFSET $2`, [runId, offset]);
    return result.rows.map(toLog);
  }

  async runsBeyond(pipeline: string, keep: number): Promise<string[]> {
    const result = await this.pool.query<{ id: string }>(
      `SELECT id FROM (SELECT id, status, outputs_pruned_at, started_at, seq FROM ${this.runs} WHERE pipeline = $1 ORDER BY started_at DESC, seq DESC OFFSET $2) beyond
        WHERE outputs_pruned_at IS NULL AND status NOT IN ('queued', 'running') ORDER BY started_at, seq`,
      [pipeline, Math.max(0, keep)],
    );
    return result.rows.map((r) => r.id);
  }

  async recordOutputsPruned(runIds: readonly string[]): Promise<void> {
    if (!runIds.length) return;
    await this.pool.query(`UPDATE ${this.runs} SET outputs_pruned_at = now() WHERE id = ANY($1::text[]) AND status NOT IN ('queued', 'running')`, [runIds]);
  }

  async heartbeat(runId: string, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.pool.query(
      preparedQuery(`UPDATE ${this.runs} SET lease_owner = $2, heartbeat_at = now(), lease_expires_at = now() + $3::float8 * interval '1 millisecond'
        WHERE id = $1 AND status = 'running'`, [runId, owner, leaseMs]),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async reapLostRuns(now?: Date): Promise<RunRecord[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // SKIP LOCKED: a run another reaper is failing right now is theirs to return, not ours.
      const lost = await client.query<RunRow & { reaped_at: Date }>(
        `WITH clock AS (SELECT coalesce($1::timestamptz, now()) AS now)
         SELECT r.*, clock.now AS reaped_at FROM ${this.runs} r, clock
          WHERE r.status = 'running'
            AND (r.lease_expires_at <= clock.now
                 OR (r.lease_expires_at IS NULL AND r.started_at < clock.now - $2::float8 * interval '1 millisecond'))
          ORDER BY r.started_at, r.seq
          FOR UPDATE OF r SKIP LOCKED`,
        [now?.toISOString() ?? null, unclaimedRunGraceMs],
      );
      const reaped = lost.rows.map((row): RunRecord => {
        const error = lostRunError(iso(row.heartbeat_at ?? row.started_at));
        return { ...toRun(row), status: 'failed', endedAt: iso(row.reaped_at), error };
      });
      if (reaped.length) {
        await client.query(
          `UPDATE ${this.runs} r SET status = 'failed', ended_at = v.ended_at, error = v.error
             FROM jsonb_to_recordset($1::jsonb) AS v(id text, ended_at timestamptz, error jsonb)
            WHERE r.id = v.id`,
          [JSON.stringify(reaped.map((r) => ({ id: r.id, ended_at: r.endedAt, error: r.error })))],
        );
      }
      await client.query('COMMIT');
      return reaped;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async claimQueuedRun(owner: string, leaseMs: number): Promise<RunRecord | undefined> {
    // SKIP LOCKED: a run another process is claiming right now is theirs; take the next one.
    const result = await this.pool.query<RunRow>(
      `UPDATE ${this.runs} r
          SET status = 'running', lease_owner = $1, heartbeat_at = now(), lease_expires_at = now() + $2::float8 * interval '1 millisecond'
        WHERE r.id = (SELECT id FROM ${this.runs} WHERE status = 'queued' ORDER BY started_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
          AND r.status = 'queued'
        RETURNING r.*`,
      [owner, leaseMs],
    );
    return result.rows[0] && toRun(result.rows[0]);
  }

  async requeueRun(id: string, claim?: { readonly owner: string; readonly leaseMs: number }): Promise<RunRecord | undefined> {
    // One statement: a concurrent caller waits on the run's row, then finds it queued and changes nothing.
    const result = await this.pool.query<RunRow>(
      `WITH run AS (
         UPDATE ${this.runs}
            SET status = CASE WHEN $2::text IS NULL THEN 'queued' ELSE 'running' END,
                attempt = attempt + 1, ended_at = NULL, error = NULL, outputs_pruned_at = NULL, lease_owner = $2::text,
                heartbeat_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END,
                lease_expires_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() + $3::float8 * interval '1 millisecond' END
          WHERE id = $1 AND status IN ('failed', 'cancelled')
          RETURNING *
       ), blocks AS (
         UPDATE ${this.blockRuns} b
            SET status = 'pending', started_at = NULL, ended_at = NULL, rows_in = NULL, rows_out = NULL, rows_rejected = NULL,
                output = NULL, columns = NULL, error = NULL, summary = NULL, datasets = NULL
          WHERE b.run_id IN (SELECT id FROM run) AND b.status <> 'succeeded'
       )
       SELECT * FROM run`,
      [id, claim?.owner ?? null, claim?.leaseMs ?? null],
    );
    return result.rows[0] && toRun(result.rows[0]);
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    // A concurrent insert of the same name waits for the first and then sees its row: one winner.
    const result = await this.pool.query(
      `INSERT INTO ${this.leases} (name, owner, expires_at) VALUES ($1, $2, now() + $3::float8 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE leases.owner = excluded.owner OR leases.expires_at <= now()`,
      [name, owner, ttlMs],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async releaseLease(name: string, owner: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${this.leases} WHERE name = $1 AND owner = $2`, [name, owner]);
    return (result.rowCount ?? 0) > 0;
  }

  async putSyncState(record: SyncStateRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.schema}.sync_state (pipeline, stream, state, updated_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (pipeline, stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      [record.pipeline, record.stream, JSON.stringify(record.state), record.updatedAt],
    );
  }

  async listSyncState(pipeline: string): Promise<SyncStateRecord[]> {
    const result = await this.pool.query<{ pipeline: string; stream: string; state: Record<string, unknown>; updated_at: Date }>(
      `SELECT * FROM ${this.schema}.sync_state WHERE pipeline = $1 ORDER BY stream`,
      [pipeline],
    );
    return result.rows.map((r) => ({ pipeline: r.pipeline, stream: r.stream, state: r.state, updatedAt: r.updated_at.toISOString() }));
  }

  async deleteSyncState(pipeline: string, stream?: string): Promise<void> {
    if (stream === undefined) await this.pool.query(`DELETE FROM ${this.schema}.sync_state WHERE pipeline = $1`, [pipeline]);
    else await this.pool.query(`DELETE FROM ${this.schema}.sync_state WHERE pipeline = $1 AND stream = $2`, [pipeline, stream]);
  }

  async appendSchemaEvent(event: SchemaEventRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.schema}.schema_events (pipeline, stream, table_name, kind, detail, run_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [event.pipeline, event.stream, event.table, event.kind, event.detail, event.runId ?? null, event.at],
    );
  }

  async listSchemaEvents(pipeline: string): Promise<SchemaEventRecord[]> {
    const result = await this.pool.query<{ pipeline: string; stream: string; table_name: string; kind: string; detail: string; run_id: string | null; at: Date }>(
      `SELECT * FROM ${this.schema}.schema_events WHERE pipeline = $1 ORDER BY seq`,
      [pipeline],
    );
    return result.rows.map((r) => ({ pipeline: r.pipeline, stream: r.stream, table: r.table_name, kind: r.kind, detail: r.detail, runId: r.run_id ?? undefined, at: r.at.toISOString() }));
  }

  async putCheckResults(runId: string, block: string, results: readonly CheckResultRecord[]): Promise<void> {
    await this.inTransaction(async (client) => {
      await client.query(`DELETE FROM ${this.schema}.check_results WHERE run_id = $1 AND block = $2`, [runId, block]);
      for (const [position, r] of results.entries()) {
        await client.query(
          `INSERT INTO ${this.schema}.check_results (run_id, pipeline, block, position, name, kind, severity, status, failing_rows, message, sample, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12)`,
          [runId, r.pipeline, block, position, r.name, r.kind, r.severity, r.status, r.failingRows ?? null, r.message, r.sample ? JSON.stringify(r.sample) : null, r.at],
        );
      }
    });
  }

  /** Runs `work` on one connection inside a transaction, rolled back when it throws. */
  private async inTransaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async listCheckResults(runId: string): Promise<CheckResultRecord[]> {
    const result = await this.pool.query<CheckResultRow>(`SELECT * FROM ${this.schema}.check_results WHERE run_id = $1 ORDER BY block, position`, [runId]);
    return result.rows.map(toCheckResult);
  }

  async checkHistory(pipeline: string, block: string, check: string, limit = 50): Promise<CheckResultRecord[]> {
    const result = await this.pool.query<CheckResultRow>(
      `SELECT * FROM ${this.schema}.check_results WHERE pipeline = $1 AND block = $2 AND name = $3 ORDER BY at DESC, seq DESC LIMIT $4`,
      [pipeline, block, check, limit],
    );
    return result.rows.map(toCheckResult);
  }

  async putProfile(record: ProfileRecord): Promise<void> {
    await this.pool.query(
      preparedQuery(`INSERT INTO ${this.schema}.block_profiles (run_id, block, profile) VALUES ($1, $2, $3::jsonb) ON CONFLICT (run_id, block) DO UPDATE SET profile = excluded.profile`, [record.runId, record.block, JSON.stringify(record.profile)]),
    );
  }

  async getProfile(runId: string, block: string): Promise<ProfileRecord | undefined> {
    const result = await this.pool.query<{ profile: ProfileRecord['profile'] }>(`SELECT profile FROM ${this.schema}.block_profiles WHERE run_id = $1 AND block = $2`, [runId, block]);
    const row = result.rows[0];
    return row && { runId, block, profile: row.profile };
  }

  async putMetricPoints(points: readonly MetricPointRecord[]): Promise<void> {
    if (!points.length) return;
    // One statement, so a run's values land together or not at all.
    const params: unknown[] = [];
    const rows = points.map((p) => {
      params.push(p.runId, p.pipeline, p.block, p.metric, p.value, p.date, p.at, p.verdict ? JSON.stringify(p.verdict) : null, p.verdict?.anomaly ?? false, p.markedExpected);
      const n = params.length - 10;
      return `(${Array.from({ length: 10 }, (_, i) => `$${n + i + 1}`).join(', ')})`;
    });
    // Named: a block records the same number of metrics every run, so the text repeats.
    await this.pool.query(
      preparedQuery(
        `INSERT INTO ${this.schema}.metric_points (run_id, pipeline, block, metric, value, date, at, verdict, anomaly, marked_expected) VALUES ${rows.join(', ')}
         ON CONFLICT (run_id, block, metric) DO UPDATE SET value = excluded.value, date = excluded.date, at = excluded.at,
           verdict = excluded.verdict, anomaly = excluded.anomaly, marked_expected = excluded.marked_expected`,
        params,
      ),
    );
  }

  async listMetricHistory(pipeline: string, block: string, query: MetricHistoryQuery = {}): Promise<MetricPointRecord[]> {
    const params: unknown[] = [pipeline, block];
    const conditions = ['pipeline = $1', 'block = $2'];
    if (query.metric !== undefined) {
      params.push(query.metric);
      conditions.push(`metric = $${params.length}`);
    }
    const series = [...conditions];
    if (query.before) {
      params.push(query.before.runId, query.before.date, query.before.at);
      const n = params.length;
      conditions.push(`run_id <> $${n - 2}`, `(date < $${n - 1} OR (date = $${n - 1} AND at < $${n}))`);
    }
    params.push(query.limit ?? 90);
    // Each metric's newest points read backwards along its index, rather than every point of the block
    // numbered and sorted: a block judged daily for years reads its window, not its whole history.
    const result = await this.pool.query<MetricPointRow>(
      `SELECT recent.* FROM (SELECT DISTINCT metric AS series FROM ${this.schema}.metric_points WHERE ${series.join(' AND ')}) AS m
       CROSS JOIN LATERAL (SELECT * FROM ${this.schema}.metric_points WHERE ${conditions.join(' AND ')} AND metric = m.series
                           ORDER BY date DESC, at DESC LIMIT $${params.length}) AS recent
       ORDER BY recent.metric, recent.date, recent.at`,
      params,
    );
    return result.rows.map(toMetricPoint);
  }

  async listRunMetricPoints(runId: string): Promise<MetricPointRecord[]> {
    const result = await this.pool.query<MetricPointRow>(`SELECT * FROM ${this.schema}.metric_points WHERE run_id = $1 ORDER BY block, metric`, [runId]);
    return result.rows.map(toMetricPoint);
  }

  async markMetricExpected(runId: string, block: string, metric: string): Promise<MetricPointRecord | undefined> {
    const result = await this.pool.query<MetricPointRow>(
      `UPDATE ${this.schema}.metric_points SET marked_expected = true WHERE run_id = $1 AND block = $2 AND metric = $3 RETURNING *`,
      [runId, block, metric],
    );
    return result.rows[0] && toMetricPoint(result.rows[0]);
  }

  async putFingerprint(record: FingerprintRecord): Promise<void> {
    await this.pool.query(
      preparedQuery(`INSERT INTO ${this.schema}.output_fingerprints (run_id, pipeline, block, fingerprint, at) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (run_id, block) DO UPDATE SET fingerprint = excluded.fingerprint, at = excluded.at`, [record.runId, record.pipeline, record.block, JSON.stringify(record.fingerprint), record.at]),
    );
  }

  async baselineFingerprint(pipeline: string, block: string, exceptRunId: string): Promise<FingerprintRecord | undefined> {
    const result = await this.pool.query<{ run_id: string; pipeline: string; block: string; fingerprint: FingerprintRecord['fingerprint']; at: Date }>(
      preparedQuery(`SELECT run_id, pipeline, block, fingerprint, at FROM ${this.schema}.output_fingerprints WHERE pipeline = $1 AND block = $2 AND run_id <> $3 ORDER BY at DESC, seq DESC LIMIT 1`, [pipeline, block, exceptRunId]),
    );
    const row = result.rows[0];
    return row && { runId: row.run_id, pipeline: row.pipeline, block: row.block, fingerprint: row.fingerprint, at: row.at.toISOString() };
  }

  async putDriftEvents(runId: string, block: string, events: readonly DriftEventRecord[]): Promise<void> {
    // Most block runs see no drift: one statement clears what an earlier attempt recorded, no transaction around it.
    if (!events.length) {
      await this.pool.query(preparedQuery(`DELETE FROM ${this.schema}.drift_events WHERE run_id = $1 AND block = $2`, [runId, block]));
      return;
    }
    await this.inTransaction(async (client) => {
      await client.query(`DELETE FROM ${this.schema}.drift_events WHERE run_id = $1 AND block = $2`, [runId, block]);
      for (const e of events) {
        await client.query(
          `INSERT INTO ${this.schema}.drift_events (run_id, pipeline, block, column_name, kind, before, after, action, message, rows, samples, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12)`,
          [runId, e.pipeline, block, e.column, e.kind, e.before ?? null, e.after ?? null, e.action, e.message, e.rows ?? null, e.samples ? JSON.stringify(e.samples) : null, e.at],
        );
      }
    });
  }

  async listDriftEvents(query: DriftEventQuery = {}): Promise<DriftEventRecord[]> {
    const params: unknown[] = [];
    const conditions = ['true'];
    if (query.pipeline !== undefined) {
      params.push(query.pipeline);
      conditions.push(`pipeline = $${params.length}`);
    }
    if (query.runId !== undefined) {
      params.push(query.runId);
      conditions.push(`run_id = $${params.length}`);
    }
    params.push(query.limit ?? 100);
    const result = await this.pool.query<DriftEventRow>(
      `SELECT * FROM ${this.schema}.drift_events WHERE ${conditions.join(' AND ')} ORDER BY at DESC, seq LIMIT $${params.length}`,
      params,
    );
    return result.rows.map(toDriftEvent);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** A failure to reach or prepare the store, naming the server without its password. */
function openError(error: unknown, url: string, schema: string): SluiceError {
  const state = (error as { code?: unknown }).code;
  // Authentication, a missing database or a missing privilege fail the same way next time.
  const retryable = !(typeof state === 'string' && (state.startsWith('28') || state === '3D000' || state === '42501'));
  // Several addresses tried (localhost as ::1 and 127.0.0.1) arrive as one AggregateError.
  const first: unknown = error instanceof AggregateError && error.errors.length ? error.errors[0] : error;
  const reason = first instanceof Error ? first.message || first.name : String(first);
  return new SluiceError('run_store.open_failed', `cannot open the PostgreSQL run store at ${describeServer(url)} (schema '${schema}'): ${reason}`, {
    cause: error,
    retryable,
    kind: retryable ? 'run' : 'config',
  });
}

function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured server';
  }
}

interface MetricPointRow {
  run_id: string;
  pipeline: string;
  block: string;
  metric: string;
  value: number | null;
  date: string;
  at: Date;
  verdict: MetricPointRecord['verdict'] | null;
  marked_expected: boolean;
}

function toMetricPoint(r: MetricPointRow): MetricPointRecord {
  return {
    runId: r.run_id,
    pipeline: r.pipeline,
    block: r.block,
    metric: r.metric,
    value: r.value,
    date: r.date,
    at: r.at.toISOString(),
    ...(r.verdict ? { verdict: r.verdict } : {}),
    markedExpected: r.marked_expected,
  };
}
