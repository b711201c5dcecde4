import type { DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { quoteIdent } from '../../core/sql/quote.ts';

/** The first input value the target column's type cannot hold exactly. */
export interface Misfit {
  /** 1-based row of the input, in its stored order. */
  readonly row: number;
  readonly column: string;
  readonly value: string;
  readonly type: string;
}

/**
 * After DuckDB refused a write with a conversion error (which names the
 * column but not the row), finds the row: the first value of a column shared
 * with the target that does not cast to the target's type, or casts to a
 * different value (rounding a decimal's scale away, say).
 */
export async function findMisfit(session: DataPlaneSession, source: string, target: string): Promise<Misfit | undefined> {
  const targetColumns = new Map((await session.describe(`SELECT * FROM ${target}`)).map((c) => [c.name, c.type]));
  const inputColumns = await session.describe(`SELECT * FROM ${source}`);
  for (const column of inputColumns) {
    const type = targetColumns.get(column.name);
    if (!type || type === column.type) continue;
    const col = quoteIdent(column.name);
    const [found] = await session.query(
      `SELECT n, CAST(${col} AS VARCHAR) AS v FROM (SELECT row_number() OVER () AS n, ${col} FROM ${source})
        WHERE ${col} IS NOT NULL AND (TRY_CAST(${col} AS ${type}) IS NULL OR CAST(TRY_CAST(${col} AS ${type}) AS ${column.type}) IS DISTINCT FROM ${col})
        ORDER BY n LIMIT 1`,
    );
    if (found) return { row: Number(found.n), column: column.name, value: String(found.v), type };
  }
  return undefined;
}
