import type { DriftAction, DriftEventRecord } from './run-store.ts';

/** A `drift_events` row as both stores read it (samples already parsed; times as text or a Date). */
export interface DriftEventRow {
  run_id: string;
  pipeline: string;
  block: string;
  column_name: string;
  kind: string;
  before: string | null;
  after: string | null;
  action: string;
  message: string;
  rows: number | string | null;
  samples: DriftEventRecord['samples'] | null;
  at: string | Date;
}

export function toDriftEvent(r: DriftEventRow): DriftEventRecord {
  return {
    runId: r.run_id,
    pipeline: r.pipeline,
    block: r.block,
    column: r.column_name,
    kind: r.kind,
    ...(r.before !== null ? { before: r.before } : {}),
    ...(r.after !== null ? { after: r.after } : {}),
    action: r.action as DriftAction,
    message: r.message,
    ...(r.rows !== null ? { rows: Number(r.rows) } : {}),
    ...(r.samples ? { samples: r.samples } : {}),
    at: r.at instanceof Date ? r.at.toISOString() : r.at,
  };
}
