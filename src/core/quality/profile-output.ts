import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';

/** One bar of a number column's histogram: values in [from, to) (the last bar includes `to`). */
export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

export interface ColumnProfile {
  readonly name: string;
  readonly type: string;
  readonly nulls: number;
  /**
   * An estimate, never shown as exact: HyperLogLog over every row, or, when
   * the profile has a `sample`, estimated from it (see `ProfileSample`).
   */
  readonly approxDistinct?: number | undefined;
  /** Smallest and largest value, as text (numbers as numbers). */
  readonly min?: string | number | undefined;
  readonly max?: string | number | undefined;
  /** Over every row, or over the `sample`'s rows when the profile has one. */
  readonly mean?: number | undefined;
  /**
   * For text columns with few distinct values: each value and its count, most
   * frequent first; counts within the `sample` when the profile has one.
   */
  readonly topValues?: readonly { readonly value: string; readonly count: number }[] | undefined;
  /** Ten bars from min to max; counts within the `sample` when the profile has one. */
  readonly histogram?: readonly HistogramBin[] | undefined;
}

/**
 * How a large output was sampled for its profile. Rows, nulls, min and max
 * stay exact (the file's own statistics); distinct values, means, histograms
 * and top values come from whole row groups spread evenly over the file.
 */
export interface ProfileSample {
  /** Rows read for the sampled figures. */
  readonly rows: number;
  readonly rowGroups: number;
  /** Row groups in the whole output. */
  readonly ofRowGroups: number;
  /** How distinct values are estimated from the sample: Duj1 over row groups (estimate-distinct.ts). */
  readonly distinctEstimator: 'duj1-row-groups';
}

/** A cheap summary of a stored output, made when it is stored (or, for one kept before profiles, when first looked at). */
export interface OutputProfile {
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
  /** How long profiling took, so its cost stays visible. */
  readonly ms: number;
  /** Made when first looked at rather than when stored (outputs above `eagerProfileRows`). */
  readonly deferred?: boolean | undefined;
  /**
   * Read from the stored file's own statistics only (rows, nulls, min and max
   * per column), as large outputs kept before sampled profiles have; the full
   * profile replaces it on first look.
   */
  readonly partial?: boolean | undefined;
  /** Present when the distinct counts, means, histograms and top values were estimated from a sample. */
  readonly sample?: ProfileSample | undefined;
}

/**
 * Outputs up to this many rows are profiled over every row as they are
 * stored: a second or so at this size. A profile over every row costs a third
 * to a half of the time a plain SQL block takes to store its output, too much
 * for a larger one, which gets its profile from its file's statistics, a scan
 * of its number columns and a sample of its row groups (profile-from-sample.ts).
 */
export const eagerProfileRows = 250_000;

/** Text columns with at most this many (estimated) distinct values get their top values. */
const lowCardinality = 20;
const topCount = 10;
const histogramBins = 10;
/** Long text values are cut in min and max, which only orient the reader. */
const shownChars = 80;

export type Shape = 'number' | 'text' | 'ordered' | 'other';

/**
 * Profiles a stored output in two passes over it: the first counts nulls and
 * estimates distinct values, min, max and mean of every column; the second,
 * which needs the first's bounds, builds the number histograms and counts the
 * values of low-cardinality text columns. Nested columns get null counts only.
 */
export async function profileOutput(session: DataPlaneSession, output: StoredOutput): Promise<OutputProfile> {
  const started = performance.now();
  // Values go in as literals: a query with parameters costs the engine a separate prepare, a round trip of its own.
  const source = `read_parquet(${quoteLiteral(output.location)})`;
  const columns = output.columns.map((column, i) => ({ column, i, shape: shapeOf(column.type) }));
  const first = [`count(*) AS "rows"`];
  for (const { column, i, shape } of columns) {
    const c = quoteIdent(column.name);
    first.push(`count(*) - count(${c}) AS "n${i}"`);
    if (shape === 'other') continue;
    first.push(`approx_count_distinct(${c}) AS "d${i}"`);
    if (shape === 'number') first.push(`CAST(min(${c}) AS DOUBLE) AS "lo${i}"`, `CAST(max(${c}) AS DOUBLE) AS "hi${i}"`, `avg(CAST(${c} AS DOUBLE)) AS "m${i}"`);
    else first.push(`left(CAST(min(${c}) AS VARCHAR), ${shownChars}) AS "lo${i}"`, `left(CAST(max(${c}) AS VARCHAR), ${shownChars}) AS "hi${i}"`);
  }
  const [stats = {}] = await session.query(`SELECT ${first.join(', ')} FROM ${source}`);

  const second: string[] = [];
  /** A finite double as SQL, exactly: its shortest round-trip text, cast. */
  const double = (value: number): string => `${quoteLiteral(String(value))}::DOUBLE`;
  for (const { column, i, shape } of columns) {
    const c = quoteIdent(column.name);
    if (shape === 'text' && Number(stats[`d${i}`] ?? Infinity) <= lowCardinality) second.push(`histogram(${c}) AS "v${i}"`);
    const lo = num(stats[`lo${i}`]);
    const hi = num(stats[`hi${i}`]);
    if (shape === 'number' && lo !== undefined && hi !== undefined) {
      const width = (hi - lo) / histogramBins || 1;
      const [from, step] = [double(lo), double(width)];
      // least() skips nulls (it would put them in the last bar), so they are filtered out first.
      second.push(`histogram(least(CAST(floor((CAST(${c} AS DOUBLE) - ${from}) / ${step}) AS INTEGER), ${histogramBins - 1})) FILTER (WHERE ${c} IS NOT NULL) AS "h${i}"`);
    }
  }
  const [spread = {}] = second.length ? await session.query(`SELECT ${second.join(', ')} FROM ${source}`) : [];

  const profiles = columns.map(({ column, i, shape }): ColumnProfile => {
    const base = { name: column.name, type: column.type, nulls: Number(stats[`n${i}`] ?? 0) };
    if (shape === 'other') return base;
    const lo = stats[`lo${i}`];
    const hi = stats[`hi${i}`];
    return {
      ...base,
      // The estimate can overshoot on small columns; there are never more distinct values than values.
      approxDistinct: Math.min(Number(stats[`d${i}`] ?? 0), Number(stats.rows ?? 0) - base.nulls),
      ...(lo !== null && lo !== undefined ? { min: shape === 'number' ? Number(lo) : String(lo), max: shape === 'number' ? Number(hi) : String(hi) } : {}),
      ...(shape === 'number' && num(stats[`m${i}`]) !== undefined ? { mean: num(stats[`m${i}`]) } : {}),
      ...(spread[`v${i}`] ? { topValues: topValues(spread[`v${i}`]) } : {}),
      ...(spread[`h${i}`] ? { histogram: bins(spread[`h${i}`], num(lo)!, num(hi)!) } : {}),
    };
  });
  return { rows: Number(stats.rows ?? 0), columns: profiles, ms: Math.round(performance.now() - started) };
}

export function shapeOf(type: string): Shape {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(.*\))$/.test(type)) return 'number';
  if (type === 'VARCHAR') return 'text';
  if (/^(BOOLEAN|DATE|TIME|TIMESTAMP.*|INTERVAL|UUID)$/.test(type)) return 'ordered';
  return 'other';
}

export function num(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The engine's histogram is a map of value to count; it arrives as a list of { key, value }. */
function entries(map: unknown): [unknown, number][] {
  const list: unknown[] = Array.isArray(map) ? map : [];
  return list.map((e) => {
    const entry = e as { key: unknown; value: unknown };
    return [entry.key, Number(entry.value)];
  });
}

export function topValues(map: unknown): ColumnProfile['topValues'] {
  return entries(map)
    .map(([value, count]) => ({ value: String(value), count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, topCount);
}

export function bins(map: unknown, lo: number, hi: number): HistogramBin[] {
  const width = (hi - lo) / histogramBins || 1;
  const counts = new Map(entries(map).filter(([k]) => k !== null).map(([k, n]) => [Number(k), n]));
  const size = hi === lo ? 1 : histogramBins;
  return Array.from({ length: size }, (_, b) => ({ from: lo + b * width, to: b === size - 1 ? hi : lo + (b + 1) * width, count: counts.get(b) ?? 0 }));
}

