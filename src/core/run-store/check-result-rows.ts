import type { CheckResultRecord } from '../quality/check-result.ts';
import type { CheckKind, CheckSeverity } from '../quality/check-spec.ts';
import type { CheckStatus } from '../quality/check-result.ts';

/** A `check_results` row as either store returns it (SQLite keeps JSON and times as text). */
export interface CheckResultRow {
  run_id: string;
  pipeline: string;
  block: string;
  name: string;
  kind: string;
  severity: string;
  status: string;
  failing_rows: number | string | null;
  message: string;
  sample: string | Record<string, unknown>[] | null;
  at: string | Date;
}

export function toCheckResult(r: CheckResultRow): CheckResultRecord {
  const sample = typeof r.sample === 'string' ? (JSON.parse(r.sample) as Record<string, unknown>[]) : r.sample;
  return {
    runId: r.run_id,
    pipeline: r.pipeline,
    block: r.block,
    name: r.name,
    kind: r.kind as CheckKind,
    severity: r.severity as CheckSeverity,
    status: r.status as CheckStatus,
    ...(r.failing_rows !== null ? { failingRows: Number(r.failing_rows) } : {}),
    message: r.message,
    ...(sample ? { sample } : {}),
    at: r.at instanceof Date ? r.at.toISOString() : r.at,
  };
}
