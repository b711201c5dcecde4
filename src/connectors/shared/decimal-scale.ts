import type { Column, DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { quoteIdent } from '../../core/sql/quote.ts';

/** An input value with more decimal places than its target column keeps. */
export interface RoundedValue {
  readonly column: string;
  /** 1-based row of the input, in its stored order. */
  readonly row: number;
  readonly value: string;
  readonly scale: number;
}

/**
 * Databases round a value with too many decimals into a DECIMAL(p,s) column
 * (PostgreSQL and DuckDB silently, MySQL with a note). A write must not change
 * a value, so before writing, the input is searched for the first value the
 * target's scale would round. Only columns that can hold more decimals than
 * their target (a larger scale, or floating point) are read.
 */
export async function findRoundedValue(
  session: DataPlaneSession,
  table: string,
  input: readonly Column[],
  targetScale: (column: string) => number | undefined,
): Promise<RoundedValue | undefined> {
  for (const column of input) {
    const scale = targetScale(column.name);
    if (scale === undefined || !canExceed(column.type, scale)) continue;
    const col = quoteIdent(column.name);
    const [found] = await session.query(
      `SELECT n, CAST(v AS VARCHAR) AS v FROM (SELECT row_number() OVER () AS n, ${col} AS v FROM ${quoteIdent(table)})
        WHERE v IS NOT NULL AND v <> round(v, ${scale}) ORDER BY n LIMIT 1`,
    );
    if (found) return { column: column.name, row: Number(found.n), value: String(found.v), scale };
  }
  return undefined;
}

/** The scale of a `DECIMAL(p,s)` / `numeric(p,s)` type name; undefined for anything else. */
export function decimalScale(type: string): number | undefined {
  const match = /^\s*(?:decimal|numeric)\s*\(\s*\d+\s*(?:,\s*(\d+)\s*)?\)/i.exec(type);
  return match ? Number(match[1] ?? 0) : undefined;
}

function canExceed(inputType: string, scale: number): boolean {
  if (/^(DOUBLE|FLOAT|REAL)$/i.test(inputType.trim())) return true;
  const inputScale = decimalScale(inputType);
  return inputScale !== undefined && inputScale > scale;
}

/** `amount = 1.239 at row 2,501 of the input has more than 2 decimal places`. */
export function describeRounded(found: RoundedValue): string {
  return `${found.column} = ${found.value.slice(0, 60)} at row ${found.row.toLocaleString('en-US')} of the input has more than ${found.scale} decimal place${found.scale === 1 ? '' : 's'}, which the column would round away`;
}
