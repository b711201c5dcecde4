import { establishedShare, type ColumnFingerprint, type OutputFingerprint } from './fingerprint-output.ts';

/** The kinds of drift between a block's output and its baseline. */
export const driftKinds = ['added_column', 'dropped_column', 'retyped', 'text_in_number', 'format_changed', 'null_rate_jump'] as const;
export type DriftKind = (typeof driftKinds)[number];

/** One difference between an output's fingerprint and its baseline's. */
export interface DriftFinding {
  readonly column: string;
  readonly kind: DriftKind;
  /** The baseline's type, shape or null rate, as shown to people. */
  readonly before?: string | undefined;
  /** This output's. */
  readonly after?: string | undefined;
  /** A change of the output's columns or their types, which `freeze` refuses. */
  readonly schema: boolean;
  /** For drift in values: the shape the column's values held until now; a value of another shape breaks it. */
  readonly establishedShape?: string | undefined;
  /** One line, e.g. "format of order_date changed: 9999-99-99 -> 99/99/9999". */
  readonly message: string;
}

const numericType = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)/i;

export interface CompareOptions {
  /** How far a column's null rate may rise, as a share. */
  readonly nullRateJump: number;
  /**
   * Columns whose values flag rows (a clean block's `<column>_flag` and
   * `<column>_reason`, as its runner says): they are expected to vary from run
   * to run, so only their presence and type are compared.
   */
  readonly flagColumns?: readonly string[] | undefined;
  /**
   * The fewest rows, in the baseline and in the output, whose null rates are
   * worth comparing: an integration stream's batch of a few new rows swings
   * its null rates by chance. Every output counts without it.
   */
  readonly nullRateMinRows?: number | undefined;
}

/**
 * Compares an output's fingerprint with its baseline's, column by column:
 * columns added, dropped or retyped; a text column whose established shape
 * (e.g. dates as `9999-99-99`) gave way to another; numeric text or a number
 * column that now carries text; a null rate that rose by `nullRateJump` or more.
 */
export function compareFingerprints(baseline: OutputFingerprint, current: OutputFingerprint, options: CompareOptions): DriftFinding[] {
  const findings: DriftFinding[] = [];
  const flags = new Set(options.flagColumns ?? []);
  const before = new Map(baseline.columns.map((c) => [c.name, c]));
  const now = new Set(current.columns.map((c) => c.name));
  for (const column of current.columns) {
    const old = before.get(column.name);
    if (!old) {
      findings.push({ column: column.name, kind: 'added_column', after: column.type, schema: true, message: `new column ${column.name} ${column.type}` });
      continue;
    }
    if (old.type !== column.type) {
      findings.push(retyped(old, column));
      continue;
    }
    if (flags.has(column.name)) continue;
    const shape = shapeDrift(old, column);
    if (shape) findings.push(shape);
    const enoughRows = Math.min(baseline.rows, current.rows) >= (options.nullRateMinRows ?? 0);
    const jump = enoughRows ? nullRateJump(old, column, options.nullRateJump) : undefined;
    if (jump) findings.push(jump);
  }
  for (const old of baseline.columns) {
    if (!now.has(old.name)) findings.push({ column: old.name, kind: 'dropped_column', before: old.type, schema: true, message: `column ${old.name} ${old.type} was dropped` });
  }
  return findings;
}

function retyped(old: ColumnFingerprint, column: ColumnFingerprint): DriftFinding {
  const change = { column: column.name, before: old.type, after: column.type, schema: true };
  if (numericType.test(old.type) && column.type === 'VARCHAR') {
    return { ...change, kind: 'text_in_number', establishedShape: 'number', message: `column ${column.name} was ${old.type} and now carries text (${column.type})` };
  }
  return { ...change, kind: 'retyped', message: `column ${column.name} changed type: ${old.type} -> ${column.type}` };
}

/**
 * A text column whose values held one shape (at least `establishedShare` of
 * them) and no longer do. Numeric text is held to more: once every value was a
 * number, a single value that is not counts.
 */
function shapeDrift(old: ColumnFingerprint, column: ColumnFingerprint): DriftFinding | undefined {
  if (old.shape === undefined || old.shapeShare === undefined || old.shape === 'text' || old.shapeShare < establishedShare) return undefined;
  if (column.shape === undefined || column.shapeShare === undefined) return undefined;
  const sameShape = column.shape === old.shape;
  const base = { column: column.name, before: old.shape, schema: false, establishedShape: old.shape };
  if (old.shape === 'number') {
    const numbers = sameShape ? column.shapeShare : 0;
    const carriesText = numbers < old.shapeShare && (old.shapeShare === 1 || numbers < establishedShare);
    if (!carriesText) return undefined;
    const after = `${percent(1 - numbers)} text`;
    return { ...base, kind: 'text_in_number', after, message: `column ${column.name} held numbers and now carries text: ${after}${sameShape ? '' : ` (mostly ${column.shape})`}` };
  }
  if (sameShape && column.shapeShare >= establishedShare) return undefined;
  const after = !sameShape && column.shapeShare >= establishedShare ? column.shape : `mixed (${percent(column.shapeShare)} ${column.shape})`;
  return { ...base, kind: 'format_changed', after, message: `format of ${column.name} changed: ${old.shape} -> ${after}` };
}

function nullRateJump(old: ColumnFingerprint, column: ColumnFingerprint, threshold: number): DriftFinding | undefined {
  if (old.nullRate === undefined || column.nullRate === undefined) return undefined;
  // A hair under the threshold still counts: shares are fractions of row counts and lose a little in floating point.
  if (column.nullRate - old.nullRate < threshold - 1e-9) return undefined;
  const [before, after] = [percent(old.nullRate), percent(column.nullRate)];
  return { column: column.name, kind: 'null_rate_jump', before, after, schema: false, message: `null rate of ${column.name} jumped: ${before} -> ${after}` };
}

/** "40%", "0.5%": a share as people read it. */
export function percent(share: number): string {
  const value = share * 100;
  const rounded = value >= 10 || value === 0 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded}%`;
}
