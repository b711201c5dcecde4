import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import { shapeOf, type ColumnProfile, type OutputProfile } from './profile-output.ts';

/**
 * The part of a profile a stored file already holds: its row count and, per
 * column, the nulls, min and max the writer recorded for each row group. It
 * reads the file's footer only, so it costs milliseconds at any size; exact
 * where the writer kept statistics, silent where it did not. Distinct counts,
 * means, histograms and top values need a pass over the data: the full
 * profile (profileOutput) adds them on first look.
 */
export async function profileFromFileStatistics(session: DataPlaneSession, output: StoredOutput): Promise<OutputProfile> {
  const started = performance.now();
  const rows = (await readRowGroups(session, output.location)).reduce((sum, g) => sum + g.rows, 0);
  const stats = await session.query(
    `SELECT path_in_schema AS "name", sum(stats_null_count) AS "nulls", count(*) - count(stats_null_count) AS "unknownNulls",
       list(stats_min_value) AS "mins", list(stats_max_value) AS "maxes", count(*) - count(stats_min_value) AS "unknownBounds"
     FROM parquet_metadata($1) GROUP BY path_in_schema`,
    [output.location],
  );
  const byName = new Map(stats.map((s) => [String(s.name), s]));
  const columns = output.columns.flatMap((column): ColumnProfile[] => {
    const shape = shapeOf(column.type);
    const found = byName.get(column.name);
    // A nested column's statistics count its elements, not its rows; it is left to the full profile.
    if (shape === 'other' || !found || Number(found.unknownNulls) > 0) return [];
    const base = { name: column.name, type: column.type, nulls: Number(found.nulls ?? 0) };
    if (Number(found.unknownBounds) > 0) return [base];
    const bounds = extremes(found.mins, found.maxes, shape === 'number');
    return [bounds ? { ...base, ...bounds } : base];
  });
  return { rows, columns, ms: Math.round(performance.now() - started), partial: true };
}

/** One row group of a stored file: the position of its first row in the file, and its row count. */
export interface RowGroup {
  readonly id: number;
  readonly first: number;
  readonly rows: number;
}

/** The row groups of a stored file, in file order, from its footer. */
export async function readRowGroups(session: DataPlaneSession, location: string): Promise<RowGroup[]> {
  const groups = await session.query(
    `SELECT row_group_id AS "id", any_value(row_group_num_rows) AS "rows" FROM parquet_metadata($1) GROUP BY row_group_id ORDER BY row_group_id`,
    [location],
  );
  let first = 0;
  return groups.map((g) => {
    const group = { id: Number(g.id), first, rows: Number(g.rows ?? 0) };
    first += group.rows;
    return group;
  });
}

/**
 * The smallest min and largest max over the row groups. Numbers compare as
 * numbers; the rest as the writer's text, which for text, dates, times and
 * booleans sorts as the values do.
 */
function extremes(mins: unknown, maxes: unknown, numeric: boolean): { min: string | number; max: string | number } | undefined {
  const lows = (Array.isArray(mins) ? mins : []).map(String);
  const highs = (Array.isArray(maxes) ? maxes : []).map(String);
  if (!lows.length || !highs.length) return undefined;
  if (numeric) {
    const [lo, hi] = [Math.min(...lows.map(Number)), Math.max(...highs.map(Number))];
    return Number.isFinite(lo) && Number.isFinite(hi) ? { min: lo, max: hi } : undefined;
  }
  return { min: lows.reduce((a, b) => (b < a ? b : a)), max: highs.reduce((a, b) => (b > a ? b : a)) };
}
