import type { Column, DataPlaneSession } from '../data-plane/data-plane.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';

/** A metric's name and value: `rows`, `null_rate:COLUMN` (a share, 0 to 1) or `sum:COLUMN`. */
export interface MetricValue {
  readonly metric: string;
  readonly value: number | null;
}

const numeric = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)/i;

/** Whether a column of this data plane type can be summed. */
export const isSummable = (column: Column): boolean => numeric.test(column.type);

/**
 * A stored output's row count, the null rate of every column and the sums of
 * `sums`, in one scan by the data plane: the rows never come into JavaScript.
 */
export async function measureOutput(session: DataPlaneSession, location: string, columns: readonly Column[], sums: readonly string[]): Promise<MetricValue[]> {
  const parts = ['count(*)::DOUBLE AS "rows"'];
  columns.forEach((column, i) => parts.push(`(count(*) - count(${quoteIdent(column.name)}))::DOUBLE AS n${i}`));
  sums.forEach((name, i) => parts.push(`sum(${quoteIdent(name)})::DOUBLE AS s${i}`));
  const [row = {}] = await session.query(`SELECT ${parts.join(', ')} FROM read_parquet(${quoteLiteral(location)})`);
  const rows = Number(row.rows ?? 0);
  const number = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
  return [
    { metric: 'rows', value: rows },
    // An empty output has no null rate: 0 of 0 says nothing about the next run's nulls.
    ...columns.map((column, i) => ({ metric: `null_rate:${column.name}`, value: rows ? Number(row[`n${i}`] ?? 0) / rows : null })),
    ...sums.map((name, i) => ({ metric: `sum:${name}`, value: number(row[`s${i}`]) })),
  ];
}
