import type { DataPlaneSession } from '../core/data-plane/data-plane.ts';
import { quoteIdent, quoteLiteral } from '../core/sql/quote.ts';

export interface ColumnStats {
  readonly name: string;
  readonly type: string;
  readonly nulls: number;
  /** Exact: an estimate could exceed the row count (523 distinct of 500 rows) and mislead. */
  readonly distinct: number;
  readonly min: string | null;
  readonly max: string | null;
}

/** `GET /api/runs/:id/blocks/:block/stats`. */
export interface OutputStats {
  readonly rows: number;
  readonly columns: readonly ColumnStats[];
  /** Personal-data columns whose smallest and largest values are the marker `[masked]` for this caller (docs/pii.md). */
  readonly masked?: readonly string[];
}

/** Types whose values order meaningfully; min and max of lists or structs say nothing useful. */
const orderable = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL|VARCHAR|DATE|TIME|TIMESTAMP|BOOLEAN|INTERVAL|UUID)/;

/**
 * Per-column quick stats of a stored output, computed by the data plane over
 * its Parquet file in one scan: the rows never come into JavaScript.
 */
export async function outputStats(session: DataPlaneSession, location: string): Promise<OutputStats> {
  const source = `read_parquet(${quoteLiteral(location)})`;
  const columns = await session.describe(`SELECT * FROM ${source}`);
  const parts = ['count(*) AS "rows"'];
  columns.forEach((column, i) => {
    const c = quoteIdent(column.name);
    parts.push(`count(*) - count(${c}) AS n${i}`, `count(DISTINCT ${c}) AS d${i}`);
    if (orderable.test(column.type.toUpperCase())) parts.push(`min(${c})::VARCHAR AS lo${i}`, `max(${c})::VARCHAR AS hi${i}`);
  });
  const [row = {}] = await session.query(`SELECT ${parts.join(', ')} FROM ${source}`);
  return {
    rows: Number(row.rows ?? 0),
    columns: columns.map((column, i) => ({
      name: column.name,
      type: column.type,
      nulls: Number(row[`n${i}`] ?? 0),
      distinct: Number(row[`d${i}`] ?? 0),
      min: (row[`lo${i}`] as string | null | undefined) ?? null,
      max: (row[`hi${i}`] as string | null | undefined) ?? null,
    })),
  };
}
