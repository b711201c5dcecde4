import type { ClientBase } from 'pg';
import { quoteIdent } from '../sql/quote.ts';
import { postgresUsersMigration, postgresSignInFailuresMigration } from './postgres-user-store.ts';
import { postgresAuditMigration } from './postgres-audit-log.ts';
import { postgresStreamMetricsMigration } from './postgres-stream-metrics.ts';

/**
 * Ordered, append-only: each takes the quoted schema name and returns its DDL.
 * Version N is `postgresMigrations[N - 1]`, recorded in `schema_migrations`.
 * They mirror the SQLite migrations, so both stores are at the same version.
 */
export const postgresMigrations: readonly ((schema: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.runs (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      id text PRIMARY KEY,
      pipeline text NOT NULL,
      status text NOT NULL,
      pipeline_version text NOT NULL,
      logical_date text,
      variables jsonb NOT NULL,
      "trigger" text NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      error jsonb
    );
    CREATE INDEX runs_started ON ${s}.runs (started_at DESC, seq DESC);
    CREATE INDEX runs_pipeline_started ON ${s}.runs (pipeline, started_at DESC, seq DESC);
    CREATE TABLE ${s}.block_runs (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      run_id text NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE,
      block text NOT NULL,
      status text NOT NULL,
      started_at timestamptz,
      ended_at timestamptz,
      rows_in bigint,
      rows_out bigint,
      output text,
      columns jsonb,
      error jsonb,
      summary text,
      PRIMARY KEY (run_id, block)
    );
    CREATE INDEX block_runs_block ON ${s}.block_runs (block, ended_at DESC) WHERE status = 'succeeded' AND output IS NOT NULL;
    CREATE TABLE ${s}.logs (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      run_id text NOT NULL,
      block text,
      level text NOT NULL,
      message text NOT NULL,
      at timestamptz NOT NULL
    );
    CREATE INDEX logs_run ON ${s}.logs (run_id, seq);`,
  // Crash safety: who runs a run and until when, coalesced triggers, leader leases.
  (s) => `
    ALTER TABLE ${s}.runs
      ADD COLUMN dedupe_key text,
      ADD COLUMN lease_owner text,
      ADD COLUMN heartbeat_at timestamptz,
      ADD COLUMN lease_expires_at timestamptz;
    CREATE UNIQUE INDEX runs_dedupe_key ON ${s}.runs (dedupe_key);
    CREATE INDEX runs_running ON ${s}.runs (started_at) WHERE status = 'running';
    CREATE TABLE ${s}.leases (
      name text PRIMARY KEY,
      owner text NOT NULL,
      expires_at timestamptz NOT NULL
    );`,
  // Retries: a run tried again is the same run, queued anew as its next attempt.
  (s) => `
    ALTER TABLE ${s}.runs ADD COLUMN attempt integer NOT NULL DEFAULT 1;
    CREATE INDEX runs_queued ON ${s}.runs (started_at, id) WHERE status = 'queued';`,
  // Integration pipelines: a mirror of each stream's state, and the schema changes syncs made.
  (s) => `
    CREATE TABLE ${s}.sync_state (
      pipeline text NOT NULL,
      stream text NOT NULL,
      state jsonb NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (pipeline, stream)
    );
    CREATE TABLE ${s}.schema_events (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      pipeline text NOT NULL,
      stream text NOT NULL,
      table_name text NOT NULL,
      kind text NOT NULL,
      detail text NOT NULL,
      run_id text,
      at timestamptz NOT NULL
    );
    CREATE INDEX schema_events_pipeline ON ${s}.schema_events (pipeline, seq);`,
  // Rows a block rejected, so a run with rejects never reads as a plain success.
  (s) => `ALTER TABLE ${s}.block_runs ADD COLUMN rows_rejected bigint;`,
  // The runs list: backfills as one row each, and pages in start order however it is filtered.
  (s) => `
    ALTER TABLE ${s}.runs ADD COLUMN backfill_id text;
    CREATE INDEX runs_status_started ON ${s}.runs (status, started_at);
    CREATE INDEX runs_backfill ON ${s}.runs (backfill_id, started_at);`,
  // Data quality: what each block run's checks found, and a profile of its output.
  (s) => `
    CREATE TABLE ${s}.check_results (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      run_id text NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE,
      pipeline text NOT NULL,
      block text NOT NULL,
      position integer NOT NULL,
      name text NOT NULL,
      kind text NOT NULL,
      severity text NOT NULL,
      status text NOT NULL,
      failing_rows bigint,
      message text NOT NULL,
      sample jsonb,
      at timestamptz NOT NULL,
      PRIMARY KEY (run_id, block, name)
    );
    CREATE INDEX check_results_history ON ${s}.check_results (pipeline, block, name, at DESC, seq DESC);
    CREATE TABLE ${s}.block_profiles (
      run_id text NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE,
      block text NOT NULL,
      profile jsonb NOT NULL,
      PRIMARY KEY (run_id, block)
    );`,
  // Metric history: each block's row count, null rates and summed columns per run, and the detector's verdict.
  (s) => `
    CREATE TABLE ${s}.metric_points (
      run_id text NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE,
      pipeline text NOT NULL,
      block text NOT NULL,
      metric text NOT NULL,
      value double precision,
      date text NOT NULL,
      at timestamptz NOT NULL,
      verdict jsonb,
      anomaly boolean NOT NULL DEFAULT false,
      marked_expected boolean NOT NULL DEFAULT false,
      PRIMARY KEY (run_id, block, metric)
    );
    CREATE INDEX metric_points_series ON ${s}.metric_points (pipeline, block, metric, date, at);`,
  // The tables a TypeScript block's code read or wrote through its connections.
  (s) => `ALTER TABLE ${s}.block_runs ADD COLUMN datasets jsonb;`,
  // Drift: each succeeded block run's output fingerprint (the next run's baseline), and the drift found against it.
  (s) => `
    CREATE TABLE ${s}.output_fingerprints (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      run_id text NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE,
      pipeline text NOT NULL,
      block text NOT NULL,
      fingerprint jsonb NOT NULL,
      at timestamptz NOT NULL,
      PRIMARY KEY (run_id, block)
    );
    CREATE INDEX output_fingerprints_newest ON ${s}.output_fingerprints (pipeline, block, at);
    CREATE TABLE ${s}.drift_events (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      run_id text NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE,
      pipeline text NOT NULL,
      block text NOT NULL,
      column_name text NOT NULL,
      kind text NOT NULL,
      before text,
      after text,
      action text NOT NULL,
      message text NOT NULL,
      rows bigint,
      samples jsonb,
      at timestamptz NOT NULL
    );
    CREATE INDEX drift_events_run ON ${s}.drift_events (run_id, block);
    CREATE INDEX drift_events_pipeline ON ${s}.drift_events (pipeline, at);`,
  // The audit log: who did what and when, append-only (a trigger refuses UPDATE, DELETE and TRUNCATE).
  postgresAuditMigration,
  // Users, their stored sessions and API keys.
  postgresUsersMigration,
  // When a run's outputs were removed (data_plane.keep_runs), so each run after it prunes only runs not yet pruned.
  (s) => `ALTER TABLE ${s}.runs ADD COLUMN outputs_pruned_at timestamptz;`,
  // Streaming pipelines' metrics over time.
  postgresStreamMetricsMigration,
  // Wrong passwords per name, so every server process on the store holds a guessed name alike.
  postgresSignInFailuresMigration,
  // The fencing token of the queue claim that last wrote a block run, compared in the write itself.
  (s) => `ALTER TABLE ${s}.block_runs ADD COLUMN fencing_token bigint;`,
];

/**
 * Creates the schema and applies the migrations it lacks, in one transaction
 * under an advisory lock on the schema's name: processes opening the store at
 * once wait for each other instead of racing, and a failed migration leaves
 * nothing behind.
 */
export async function migratePostgres(client: ClientBase, schema: string): Promise<number> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('sluice.run_store'), hashtext($1))`, [schema]);
    // Looked up rather than CREATE ... IF NOT EXISTS, which needs the CREATE privilege even when nothing is created.
    const found = await client.query<{ schema: boolean; table: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema, to_regclass($2) IS NOT NULL AS table`,
      [schema, `${s}.schema_migrations`],
    );
    if (!found.rows[0]?.schema) await client.query(`CREATE SCHEMA ${s}`);
    if (!found.rows[0]?.table) {
      await client.query(`CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    }
    const applied = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.schema_migrations`);
    const current = applied.rows[0]?.version ?? 0;
    for (let v = current; v < postgresMigrations.length; v++) {
      await client.query(postgresMigrations[v]!(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [v + 1]);
    }
    await client.query('COMMIT');
    return postgresMigrations.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
