import type { CheckKind, CheckSeverity } from './check-spec.ts';

/** A check's verdict on one output. */
export type CheckStatus = 'passed' | 'failed';

/** What one check found on one block run's output, as the run store keeps it. */
export interface CheckResult {
  readonly name: string;
  readonly kind: CheckKind;
  readonly severity: CheckSeverity;
  readonly status: CheckStatus;
  /** Rows the check failed (for a sql check, rows its query returned); absent for row_count and freshness. */
  readonly failingRows?: number | undefined;
  /** One line a person can act on, e.g. "3 rows have a null amount". */
  readonly message: string;
  /** A few failing rows, JSON-safe. */
  readonly sample?: readonly Record<string, unknown>[] | undefined;
}

/** A check result with the run and block it belongs to. */
export interface CheckResultRecord extends CheckResult {
  readonly runId: string;
  readonly pipeline: string;
  readonly block: string;
  readonly at: string;
}

/** Values as JSON can carry them: big integers as numbers when exact, else text; times as ISO text. */
export function jsonSafeRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonSafeValue(v)]));
}

export function jsonSafeValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(jsonSafeValue);
  return String(value);
}
