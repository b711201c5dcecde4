import type { Column } from '../data-plane/data-plane.ts';
import type { DestinationColumn } from './sync-destination.ts';

/** A source column that differs from the destination table. */
export type ColumnDifference =
  | { readonly kind: 'new_column'; readonly column: string; readonly type: string }
  | { readonly kind: 'type_change'; readonly column: string; readonly from: string; readonly to: string; readonly widened: string }
  /** A destination column the source no longer has. */
  | { readonly kind: 'dropped_column'; readonly column: string; readonly type: string; readonly nullable: boolean };

const intRank: Readonly<Record<string, number>> = { TINYINT: 1, UTINYINT: 1, SMALLINT: 2, USMALLINT: 3, INTEGER: 3, UINTEGER: 4, BIGINT: 4, UBIGINT: 5, HUGEINT: 5 };
/** Decimal digits an integer type needs, for fitting it into DECIMAL(p,s). */
const intDigits: Readonly<Record<number, number>> = { 1: 3, 2: 5, 3: 10, 4: 19, 5: 39 };
const intByRank: Readonly<Record<number, string>> = { 1: 'SMALLINT', 2: 'SMALLINT', 3: 'INTEGER', 4: 'BIGINT', 5: 'DECIMAL(38,0)' };

/** A data-plane type name in one spelling: `TIMESTAMP WITH TIME ZONE` is `TIMESTAMPTZ`, `NUMERIC(p,s)` is `DECIMAL(p,s)`. */
export function normalType(type: string): string {
  const t = type.trim().toUpperCase().replace(/\s+/g, ' ');
  const aliases: Record<string, string> = {
    'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ',
    INT: 'INTEGER',
    INT4: 'INTEGER',
    INT8: 'BIGINT',
    INT2: 'SMALLINT',
    BOOL: 'BOOLEAN',
    FLOAT4: 'FLOAT',
    REAL: 'FLOAT',
    FLOAT8: 'DOUBLE',
    'DOUBLE PRECISION': 'DOUBLE',
    TEXT: 'VARCHAR',
    STRING: 'VARCHAR',
    TIMESTAMP_S: 'TIMESTAMP',
    TIMESTAMP_MS: 'TIMESTAMP',
    TIMESTAMP_NS: 'TIMESTAMP',
  };
  if (aliases[t]) return aliases[t];
  if (/^(VARCHAR|CHAR|TEXT)\s*\(/.test(t)) return 'VARCHAR';
  const decimal = /^(?:DECIMAL|NUMERIC)\s*\((\d+)\s*(?:,\s*(\d+))?\)$/.exec(t);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2] ?? 0})`;
  return t;
}

function decimalOf(type: string): { p: number; s: number } | undefined {
  const m = /^DECIMAL\((\d+),(\d+)\)$/.exec(type);
  return m ? { p: Number(m[1]), s: Number(m[2]) } : undefined;
}

/** Whether every value of data-plane type `source` fits a column of type `target` unchanged. */
export function fits(source: string, target: string): boolean {
  const s = normalType(source);
  const t = normalType(target);
  if (s === t || t === 'VARCHAR') return true;
  if (s === 'JSON' && t === 'VARCHAR') return true;
  // Both store an instant; the destination keeps it as UTC.
  if ((s === 'TIMESTAMPTZ' && t === 'TIMESTAMP') || (s === 'TIMESTAMP' && t === 'TIMESTAMPTZ') || (s === 'DATE' && (t === 'TIMESTAMP' || t === 'TIMESTAMPTZ'))) return true;
  const si = intRank[s];
  const ti = intRank[t];
  if (si !== undefined && ti !== undefined) return si <= ti;
  const td = decimalOf(t);
  const sd = decimalOf(s);
  if (si !== undefined && td) return td.p - td.s >= intDigits[si]!;
  if (sd && td) return sd.s <= td.s && sd.p - sd.s <= td.p - td.s;
  if (sd && ti !== undefined) return sd.s === 0 && sd.p <= intDigits[ti]! - 1;
  if (s === 'FLOAT' && t === 'DOUBLE') return true;
  if (si !== undefined && si <= 3 && t === 'DOUBLE') return true;
  return false;
}

/**
 * The narrowest type both fit: int -> bigint -> numeric, decimals to the
 * precision both need (at most 38 digits), anything else to text.
 */
export function widen(source: string, target: string): string {
  const s = normalType(source);
  const t = normalType(target);
  if (fits(s, t)) return t;
  if (fits(t, s)) return s;
  const si = intRank[s];
  const ti = intRank[t];
  if (si !== undefined && ti !== undefined) return intByRank[Math.max(si, ti)]!;
  const asDecimal = (type: string): { p: number; s: number } | undefined => decimalOf(type) ?? (intRank[type] !== undefined ? { p: intDigits[intRank[type]!]!, s: 0 } : undefined);
  const a = asDecimal(s);
  const b = asDecimal(t);
  if (a && b) {
    const scale = Math.max(a.s, b.s);
    const digits = Math.max(a.p - a.s, b.p - b.s);
    return digits + scale <= 38 ? `DECIMAL(${digits + scale},${scale})` : 'VARCHAR';
  }
  if ((s === 'FLOAT' || s === 'DOUBLE') && (t === 'FLOAT' || t === 'DOUBLE')) return 'DOUBLE';
  return 'VARCHAR';
}

/**
 * Source columns the destination lacks, those whose values do not fit the
 * destination's type, and destination columns the source no longer has.
 * Names match exactly, then ignoring case.
 */
export function compareColumns(source: readonly Column[], destination: readonly DestinationColumn[]): ColumnDifference[] {
  const differences: ColumnDifference[] = [];
  for (const column of source) {
    const target = destinationColumn(destination, column.name);
    if (!target) differences.push({ kind: 'new_column', column: column.name, type: column.type });
    else if (!fits(column.type, target.type)) {
      differences.push({ kind: 'type_change', column: column.name, from: target.type, to: column.type, widened: widen(column.type, target.type) });
    }
  }
  const present = new Set(source.map((c) => destinationColumn(destination, c.name)?.name));
  for (const column of destination) {
    if (!present.has(column.name)) differences.push({ kind: 'dropped_column', column: column.name, type: column.type, nullable: column.nullable });
  }
  return differences;
}

export function destinationColumn(destination: readonly DestinationColumn[], name: string): DestinationColumn | undefined {
  return destination.find((c) => c.name === name) ?? destination.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

/** One line per difference, as `freeze` shows it and schema events record it. */
export function describeDifference(d: ColumnDifference): string {
  switch (d.kind) {
    case 'new_column':
      return `+ ${d.column} ${d.type} (new in the source)`;
    case 'type_change':
      return `~ ${d.column}: ${d.from} in the destination, ${d.to} in the source`;
    case 'dropped_column':
      return `- ${d.column} ${d.type} (no longer in the source)`;
  }
}
