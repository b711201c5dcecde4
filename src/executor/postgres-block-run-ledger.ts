import type { Pool } from 'pg';
import type { BlockRunJob, BlockRunOutcome } from '../core/run/block-run-job.ts';
import { quoteIdent, quoteLiteral } from '../core/sql/quote.ts';
import { preparedQuery } from '../core/sql/prepared-query.ts';
import type { BlockRunClaim, BlockRunKey, BlockRunLedger, LedgerEntry, LedgerState, QueueStats, WorkerBeat, WorkerRecord } from './block-run-ledger.ts';

/** How often a worker says it is alive; three missed beats make it stale in `sluice workers`. */
export const workerBeatMs = 5_000;

interface EntryRow {
  run_id: string;
  block: string;
  state: LedgerState;
  attempt: number;
  fencing_token: string;
  enqueues: number;
  worker: string | null;
  lease_expired: boolean;
  outcome: BlockRunOutcome | null;
}

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  version: string;
  concurrency: number;
  draining: boolean;
  drain_requested: boolean;
  running: string[];
  started_at: Date;
  heartbeat_at: Date;
  stale: boolean;
}

/**
 * The block-run ledger in the metadata database's schema, beside the run
 * store's tables. Leases use the server's clock, so machines whose clocks
 * disagree still agree on when a lease lapsed.
 */
export class PostgresBlockRunLedger implements BlockRunLedger {
  private readonly table: string;
  private readonly workersTable: string;
  private readonly runsTable: string;
  /** The channel `finish` notifies, one per schema so two projects on one server do not wake each other. */
  private readonly channel: string;

  private constructor(
    private readonly pool: Pool,
    private readonly url: string,
    schema: string,
  ) {
    const s = quoteIdent(schema);
    this.table = `${s}.queued_block_runs`;
    this.workersTable = `${s}.workers`;
    this.runsTable = `${s}.runs`;
    this.channel = `sluice_block_runs_${schema}`.toLowerCase().slice(0, 63);
  }

  /** Connects and creates the ledger's tables if they are missing (the run store made the schema). */
  static async open(url: string, schema: string): Promise<PostgresBlockRunLedger> {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: 6, idleTimeoutMillis: 10_000, application_name: 'sluice block-run ledger' });
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const ledger = new PostgresBlockRunLedger(pool, url, schema);
    try {
      await ledger.createTables(schema);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return ledger;
  }

  private async createTables(schema: string): Promise<void> {
    // One simple query is one transaction: two processes starting at once would race on CREATE TABLE IF
    // NOT EXISTS, and the transaction's lock makes them take turns.
    await this.pool.query(`
        SELECT pg_advisory_xact_lock(hashtext(${quoteLiteral(`sluice ledger ${schema}`)}));
        CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
        CREATE TABLE IF NOT EXISTS ${this.table} (
          run_id text NOT NULL,
          block text NOT NULL,
          job jsonb NOT NULL,
          state text NOT NULL,
          attempt integer NOT NULL DEFAULT 0,
          fencing_token bigint NOT NULL DEFAULT 0,
          enqueues integer NOT NULL DEFAULT 1,
          worker text,
          lease_expires_at timestamptz,
          enqueued_at timestamptz NOT NULL DEFAULT now(),
          cancel_requested boolean NOT NULL DEFAULT false,
          refusal text,
          outcome jsonb,
          PRIMARY KEY (run_id, block)
        );
        CREATE INDEX IF NOT EXISTS queued_block_runs_open ON ${this.table} (state) WHERE state IN ('queued', 'running', 'committed');
        CREATE TABLE IF NOT EXISTS ${this.workersTable} (
          id text PRIMARY KEY,
          host text NOT NULL,
          pid integer NOT NULL,
          version text NOT NULL,
          concurrency integer NOT NULL,
          draining boolean NOT NULL,
          running jsonb NOT NULL,
          started_at timestamptz NOT NULL DEFAULT now(),
          heartbeat_at timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE ${this.workersTable} ADD COLUMN IF NOT EXISTS drain_requested boolean NOT NULL DEFAULT false;`);
  }

  async enqueue(job: BlockRunJob): Promise<number> {
    // A retried run queues its block runs again under the same key: the token goes on counting, so old claims stay fenced off.
    const { rows } = await this.pool.query<{ enqueues: number }>(
      preparedQuery(`INSERT INTO ${this.table} (run_id, block, job, state) VALUES ($1, $2, $3, 'queued')
       ON CONFLICT (run_id, block) DO UPDATE SET job = EXCLUDED.job, state = 'queued', enqueues = ${this.table}.enqueues + 1,
         worker = NULL, lease_expires_at = NULL, enqueued_at = now(), cancel_requested = false, refusal = NULL, outcome = NULL
       RETURNING enqueues`, [job.runId, job.block, JSON.stringify(job)]),
    );
    return rows[0]!.enqueues;
  }

  async reenqueue(key: BlockRunKey, refusal?: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ enqueues: number }>(
      preparedQuery(`UPDATE ${this.table} SET enqueues = enqueues + 1, refusal = coalesce($3, refusal)
       WHERE run_id = $1 AND block = $2 AND (state = 'queued' OR (state IN ('running', 'committed') AND lease_expires_at < now()))
       RETURNING enqueues`, [key.runId, key.block, refusal ?? null]),
    );
    return rows[0]?.enqueues;
  }

  async claim(key: BlockRunKey, worker: string, leaseMs: number): Promise<BlockRunClaim | undefined> {
    const { rows } = await this.pool.query<{ fencing_token: string; attempt: number; job: BlockRunJob }>(
      preparedQuery(`UPDATE ${this.table} SET state = 'running', fencing_token = fencing_token + 1, attempt = attempt + 1, worker = $3,
         lease_expires_at = now() + make_interval(secs => $4::double precision / 1000), refusal = NULL
       WHERE run_id = $1 AND block = $2 AND NOT cancel_requested
         AND (state = 'queued' OR (state IN ('running', 'committed') AND lease_expires_at < now()))
       RETURNING fencing_token, attempt, job`, [key.runId, key.block, worker, leaseMs]),
    );
    const row = rows[0];
    return row && { runId: key.runId, block: key.block, token: Number(row.fencing_token), attempt: row.attempt, job: row.job };
  }

  async renew(claim: BlockRunClaim, leaseMs: number): Promise<{ held: boolean; cancel: boolean }> {
    const { rows } = await this.pool.query<{ cancel_requested: boolean; run_status: string | null }>(
      preparedQuery(`UPDATE ${this.table} q SET lease_expires_at = now() + make_interval(secs => $4::double precision / 1000)
       WHERE q.run_id = $1 AND q.block = $2 AND q.fencing_token = $3 AND q.state IN ('running', 'committed')
       RETURNING q.cancel_requested, (SELECT r.status FROM ${this.runsTable} r WHERE r.id = q.run_id) AS run_status`, [claim.runId, claim.block, claim.token, leaseMs]),
    );
    const row = rows[0];
    if (!row) return { held: false, cancel: true };
    return { held: true, cancel: row.cancel_requested || row.run_status === 'cancelled' };
  }

  async holds(claim: BlockRunClaim): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      preparedQuery(`SELECT 1 FROM ${this.table} WHERE run_id = $1 AND block = $2 AND fencing_token = $3 AND state IN ('running', 'committed')`, [claim.runId, claim.block, claim.token]),
    );
    return rowCount === 1;
  }

  async commit(claim: BlockRunClaim): Promise<boolean> {
    // Only the move from running writes: a claim that committed already (its output kept, then its final
    // status) is checked, not written again, so the second commit of a block run flushes no WAL. Both
    // halves read one snapshot, and a later claim's token fails both.
    const { rows } = await this.pool.query<{ held: boolean }>(
      preparedQuery(`WITH moved AS (
         UPDATE ${this.table} SET state = 'committed' WHERE run_id = $1 AND block = $2 AND fencing_token = $3 AND state = 'running'
         RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM moved)
         OR EXISTS (SELECT 1 FROM ${this.table} WHERE run_id = $1 AND block = $2 AND fencing_token = $3 AND state = 'committed') AS held`, [claim.runId, claim.block, claim.token]),
    );
    return rows[0]?.held === true;
  }

  async finish(claim: BlockRunClaim, outcome: BlockRunOutcome): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      preparedQuery(`WITH done AS (
         UPDATE ${this.table} SET state = 'done', outcome = $4, lease_expires_at = NULL
         WHERE run_id = $1 AND block = $2 AND fencing_token = $3 AND state IN ('running', 'committed')
         RETURNING run_id, block)
       SELECT pg_notify($5, json_build_object('runId', run_id, 'block', block)::text) FROM done`, [claim.runId, claim.block, claim.token, JSON.stringify(outcome), this.channel]),
    );
    return rowCount === 1;
  }

  async cancel(key: BlockRunKey): Promise<boolean> {
    const { rows } = await this.pool.query<{ state: LedgerState }>(
      preparedQuery(`UPDATE ${this.table} SET cancel_requested = true, state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END
       WHERE run_id = $1 AND block = $2 RETURNING state`, [key.runId, key.block]),
    );
    return rows[0]?.state === 'cancelled';
  }

  async entries(keys: readonly BlockRunKey[]): Promise<LedgerEntry[]> {
    if (!keys.length) return [];
    const { rows } = await this.pool.query<EntryRow>(
      preparedQuery(`SELECT q.run_id, q.block, q.state, q.attempt, q.fencing_token, q.enqueues, q.worker, coalesce(q.lease_expires_at < now(), false) AS lease_expired, q.outcome
       FROM ${this.table} q JOIN unnest($1::text[], $2::text[]) AS k(run_id, block) ON k.run_id = q.run_id AND k.block = q.block`, [keys.map((k) => k.runId), keys.map((k) => k.block)]),
    );
    return rows.map((r) => ({
      runId: r.run_id,
      block: r.block,
      state: r.state,
      attempt: r.attempt,
      token: Number(r.fencing_token),
      enqueues: r.enqueues,
      worker: r.worker ?? undefined,
      leaseExpired: r.lease_expired,
      outcome: r.outcome ?? undefined,
    }));
  }

  async listen(onDone: (key: BlockRunKey) => void): Promise<() => Promise<void>> {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: this.url, application_name: 'sluice block-run waiter' });
    // A lost listener costs only speed: the waiter also looks at the ledger on a timer.
    client.on('error', () => undefined);
    await client.connect();
    client.on('notification', (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      onDone(JSON.parse(message.payload) as BlockRunKey);
    });
    await client.query(`LISTEN ${quoteIdent(this.channel)}`);
    return async () => {
      await client.end().catch(() => undefined);
    };
  }

  async beat(worker: WorkerBeat): Promise<{ drain: boolean }> {
    const { rows } = await this.pool.query<{ drain_requested: boolean }>(
      preparedQuery(`INSERT INTO ${this.workersTable} (id, host, pid, version, concurrency, draining, running) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, concurrency = EXCLUDED.concurrency, draining = EXCLUDED.draining,
         running = EXCLUDED.running, heartbeat_at = now()
       RETURNING drain_requested`, [worker.id, worker.host, worker.pid, worker.version, worker.concurrency, worker.draining, JSON.stringify(worker.running)]),
    );
    return { drain: rows[0]?.drain_requested ?? false };
  }

  async requestDrain(workerId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`UPDATE ${this.workersTable} SET drain_requested = true WHERE id = $1`, [workerId]);
    return (rowCount ?? 0) > 0;
  }

  async leave(workerId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.workersTable} WHERE id = $1`, [workerId]);
  }

  async workers(): Promise<WorkerRecord[]> {
    const { rows } = await this.pool.query<WorkerRow>(
      `SELECT *, heartbeat_at < now() - make_interval(secs => $1::double precision / 1000) AS stale FROM ${this.workersTable} ORDER BY host, pid`,
      [3 * workerBeatMs],
    );
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      pid: r.pid,
      version: r.version,
      concurrency: r.concurrency,
      draining: r.draining,
      drainRequested: r.drain_requested,
      running: r.running,
      startedAt: r.started_at.toISOString(),
      heartbeatAt: r.heartbeat_at.toISOString(),
      stale: r.stale,
    }));
  }

  async stats(): Promise<QueueStats> {
    const { rows } = await this.pool.query<{ queued: string; running: string; oldest: number | null }>(
      `SELECT count(*) FILTER (WHERE state = 'queued') AS queued, count(*) FILTER (WHERE state IN ('running', 'committed')) AS running,
         extract(epoch FROM now() - min(enqueued_at) FILTER (WHERE state = 'queued'))::double precision AS oldest
       FROM ${this.table} WHERE state IN ('queued', 'running', 'committed')`,
    );
    const row = rows[0]!;
    return { queued: Number(row.queued), running: Number(row.running), oldestWaitSeconds: Math.round((row.oldest ?? 0) * 10) / 10 };
  }


  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
