import type { SerializedError } from '../errors.ts';
import type { BlockRunRecord, LogRecord, RunRecord, RunStatus } from './run-store.ts';
import type { TouchedDataset } from '../lineage/touched-datasets.ts';

// The PostgreSQL run store's rows as the driver returns them (jsonb parsed,
// timestamptz as Date, bigint as string) and their records.

/** Timestamps arrive as Date; a string is tolerated should a type parser have been replaced. */
export function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

export interface RunRow {
  id: string;
  pipeline: string;
  status: string;
  pipeline_version: string;
  logical_date: string | null;
  variables: Record<string, unknown>;
  trigger: string;
  started_at: Date;
  ended_at: Date | null;
  error: SerializedError | null;
  dedupe_key: string | null;
  heartbeat_at: Date | null;
  lease_owner: string | null;
  backfill_id: string | null;
  attempt: number;
  rows_rejected?: string | number | null;
}

export interface BlockRunRow {
  run_id: string;
  block: string;
  status: string;
  started_at: Date | null;
  ended_at: Date | null;
  rows_in: string | number | null;
  rows_out: string | number | null;
  rows_rejected: string | number | null;
  output: string | null;
  columns: BlockRunRecord['columns'] | null;
  error: SerializedError | null;
  summary: string | null;
  datasets?: TouchedDataset[] | null;
}

export interface LogRow {
  run_id: string;
  block: string | null;
  level: string;
  message: string;
  at: Date;
}

export function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    pipeline: r.pipeline,
    status: r.status as RunStatus,
    pipelineVersion: r.pipeline_version,
    logicalDate: r.logical_date ?? undefined,
    variables: r.variables,
    trigger: r.trigger,
    startedAt: iso(r.started_at),
    endedAt: r.ended_at ? iso(r.ended_at) : undefined,
    error: r.error ?? undefined,
    dedupeKey: r.dedupe_key ?? undefined,
    attempt: r.attempt,
    // Only present when there were rejects, so a record reads the same as before the count existed.
    ...(Number(r.rows_rejected ?? 0) ? { rowsRejected: Number(r.rows_rejected) } : {}),
    ...(r.backfill_id ? { backfillId: r.backfill_id } : {}),
    ...(r.lease_owner ? { leaseOwner: r.lease_owner } : {}),
    ...(r.heartbeat_at ? { heartbeatAt: iso(r.heartbeat_at) } : {}),
  };
}

export function toBlockRun(r: BlockRunRow): BlockRunRecord {
  return {
    runId: r.run_id,
    block: r.block,
    status: r.status as BlockRunRecord['status'],
    startedAt: r.started_at ? iso(r.started_at) : undefined,
    endedAt: r.ended_at ? iso(r.ended_at) : undefined,
    // bigint columns arrive as strings; row counts stay well inside a double.
    rowsIn: r.rows_in === null ? undefined : Number(r.rows_in),
    rowsOut: r.rows_out === null ? undefined : Number(r.rows_out),
    ...(Number(r.rows_rejected ?? 0) ? { rowsRejected: Number(r.rows_rejected) } : {}),
    output: r.output ?? undefined,
    columns: r.columns ?? undefined,
    error: r.error ?? undefined,
    summary: r.summary ?? undefined,
    ...(r.datasets ? { datasets: r.datasets } : {}),
  };
}

export function toLog(r: LogRow): LogRecord {
  return { runId: r.run_id, block: r.block ?? undefined, level: r.level as LogRecord['level'], message: r.message, at: iso(r.at) };
}
