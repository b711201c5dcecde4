import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import { quoteIdent } from '../sql/quote.ts';
import { estimateDistinct } from './estimate-distinct.ts';
import { profileFromFileStatistics, readRowGroups, type RowGroup } from './profile-from-statistics.ts';
import { bins, eagerProfileRows, num, profileOutput, shapeOf, type ColumnProfile, type OutputProfile, type Shape } from './profile-output.ts';

/** Row groups a sampled profile reads, spread evenly over the file: a quarter of a million rows at the writer's group size. */
export const sampledRowGroups = 2;
/** Text columns with at most this many distinct values get their top values, as in the full profile. */
const lowCardinality = 20;
const topCount = 10;
const histogramBins = 10;
/**
 * Distinct values are counted over the values whose hash is a multiple of
 * this, one in 64: a quarter of a million unique values leave about 3,800,
 * a count within about 2% (one standard error), and cheap to group.
 */
const hashStep = 64;
/** Fewer hashed values than this (under about 64 x 1,024 values in all) and the column is counted whole: its few values are cheap to group, and exact. */
const exactBelow = 1024;

/** The profile kept as an output is stored: over every row up to `eagerProfileRows`, above it from a sample. */
export function profileAtStore(session: DataPlaneSession, output: StoredOutput): Promise<OutputProfile> {
  return output.rows > eagerProfileRows ? profileFromSample(session, output) : profileOutput(session, output);
}

type Profiled = { readonly column: { readonly name: string; readonly type: string }; readonly i: number; readonly shape: Shape; readonly footer?: ColumnProfile | undefined };
type Counts = { readonly distinct: number; readonly once: number; readonly pairs: number; readonly values?: ColumnProfile['topValues'] };
/** How to read the sample: the rows of the picked row groups, each with the group it came from (`g`). */
type Sample = { readonly where: string; readonly group: string };

/**
 * The full profile of a large output, made as it is stored at a small share
 * of the block's time (`npm run bench:profile`). Exact: rows, and per column
 * nulls, min and max from the file's footer, and the mean of number columns
 * from one scan of those columns. From a sample of whole row groups spread
 * evenly over the file (the only sample that spares reading the rest): the
 * distinct values (estimateDistinct), the histograms and the top values,
 * which the profile labels as sampled (`sample`). Nested columns get their
 * exact null counts in the same scan as the means.
 */
export async function profileFromSample(session: DataPlaneSession, output: StoredOutput, groups = sampledRowGroups): Promise<OutputProfile> {
  const started = performance.now();
  const { partial: _partial, ms: _ms, ...footer } = await profileFromFileStatistics(session, output);
  const all = await readRowGroups(session, output.location);
  const picked = pickEvenly(all, groups);
  const sampledRows = picked.reduce((sum, g) => sum + g.rows, 0);
  const known = new Map(footer.columns.map((c) => [c.name, c]));
  const columns = output.columns.map((column, i) => ({ column, i, shape: shapeOf(column.type), footer: known.get(column.name) }));
  const profiled = columns.filter((c) => c.shape !== 'other');

  const exact = await exactPass(session, output.location, columns);
  const sample = sampleOf(picked);
  const share = sampledRows / Math.max(footer.rows, 1);
  // A column the writer dictionary-encoded in every sampled group has few values there: counted whole, with its top values.
  const coded = await dictionaryColumns(session, output.location, picked);
  const whole = profiled.filter(({ column }) => coded.has(column.name) || column.type === 'BOOLEAN');
  const hashedOnes = profiled.filter((c) => !whole.includes(c));
  const { counts, bars } = await samplePass(session, output.location, sample, hashedOnes, whole, profiled);
  // A hashed column that turns out to have few values is counted again, whole: a count scaled from a handful of hashes would be rough.
  const few = hashedOnes.filter(({ i }) => (counts.get(i)?.distinct ?? 0) < exactBelow * hashStep);
  if (few.length) for (const [i, c] of (await samplePass(session, output.location, sample, [], few, [])).counts) counts.set(i, c);

  const profiles = columns.map(({ column, i, shape, footer: exactly }): ColumnProfile => {
    const base: ColumnProfile = exactly ?? { name: column.name, type: column.type, nulls: Number(exact[`n${i}`] ?? 0) };
    if (shape === 'other') return base;
    const found = counts.get(i);
    const mean = num(exact[`m${i}`]);
    const histogram = bars.has(i) && typeof base.min === 'number' && typeof base.max === 'number' ? bins(bars.get(i), base.min, base.max) : undefined;
    return {
      ...base,
      approxDistinct: found ? Math.min(Math.round(estimateDistinct({ ...found, sampledShare: share })), footer.rows - base.nulls) : 0,
      ...(mean !== undefined ? { mean } : {}),
      ...(shape === 'text' && found?.values ? { topValues: found.values } : {}),
      ...(histogram ? { histogram } : {}),
    };
  });
  return {
    ...footer,
    columns: profiles,
    ms: Math.round(performance.now() - started),
    sample: { rows: sampledRows, rowGroups: picked.length, ofRowGroups: all.length, distinctEstimator: 'duj1-row-groups' },
  };
}

/** `count` row groups spread evenly over the file, each the middle of its stretch; all of them when there are no more. */
export function pickEvenly(groups: readonly RowGroup[], count: number): RowGroup[] {
  if (groups.length <= count) return [...groups];
  return Array.from({ length: count }, (_, j) => groups[Math.floor(((j + 0.5) * groups.length) / count)]!);
}

/**
 * The filter on each row's position in the file keeps the picked row groups.
 * The engine tests it on every row rather than skipping the other groups (so
 * it costs a pass over the row numbers), which matters little here: the
 * profile's exact means read every row anyway. Where the groups are of one
 * size (as the writer makes them, but for the last) a division names a row's
 * group; otherwise a CASE does.
 */
function sampleOf(picked: readonly RowGroup[]): Sample {
  const range = (g: RowGroup) => `file_row_number BETWEEN ${g.first} AND ${g.first + g.rows - 1}`;
  const size = Math.max(...picked.map((g) => g.rows));
  const aligned = picked.every((g) => g.first % size === 0);
  return {
    where: picked.map(range).join(' OR '),
    group: aligned ? `file_row_number // ${size}` : `CASE ${picked.map((g, j) => `WHEN ${range(g)} THEN ${j}`).join(' ')} END`,
  };
}

/**
 * The one pass over every row, reading only the number columns (for their
 * exact means) and the columns the footer gave no null count for (nested
 * ones, whose footer counts elements rather than rows).
 */
async function exactPass(session: DataPlaneSession, location: string, columns: readonly Profiled[]): Promise<Record<string, unknown>> {
  const select = columns.flatMap(({ column, i, shape, footer }) => [
    ...(shape === 'number' ? [`avg(CAST(${quoteIdent(column.name)} AS DOUBLE)) AS "m${i}"`] : []),
    ...(footer ? [] : [`count(*) - count(${quoteIdent(column.name)}) AS "n${i}"`]),
  ]);
  if (!select.length) return {};
  return (await session.query(`SELECT ${select.join(', ')} FROM read_parquet($1)`, [location]))[0] ?? {};
}

/** The columns the writer dictionary-encoded in every one of the given row groups. */
async function dictionaryColumns(session: DataPlaneSession, location: string, picked: readonly RowGroup[]): Promise<Set<string>> {
  const rows = await session.query(
    `SELECT path_in_schema AS "name" FROM parquet_metadata($1) WHERE row_group_id IN (${picked.map((g) => g.id).join(', ')}) GROUP BY path_in_schema HAVING bool_and(dictionary_page_offset IS NOT NULL)`,
    [location],
  );
  return new Set(rows.map((r) => String(r.name)));
}

/**
 * Per column (`j`), from the (key, group) sets among `sets`: the distinct
 * keys, those in one sampled row group only and the (key, group) pairs; with
 * `withValues`, the values and their counts when there are few.
 */
function countsQuery(keys: readonly string[], offset: number, withValues: boolean): string {
  const which = `CASE ${keys.map((k, j) => `WHEN ${k} IS NOT NULL THEN ${offset + j}`).join(' ')} END`;
  const flat = `SELECT ${which} AS "j", coalesce(${keys.join(', ')}) AS "key", "n" FROM sets WHERE coalesce(${keys.join(', ')}) IS NOT NULL`;
  const values = withValues ? `CASE WHEN count(*) <= ${lowCardinality} THEN list({ 'value': "key", 'count': "n" } ORDER BY "n" DESC, "key") END` : 'NULL';
  return `SELECT "j", count(*) AS "distinct", count(*) FILTER (WHERE "groups" = 1) AS "once", sum("groups") AS "pairs", ${values} AS "values", NULL AS "bars"
    FROM (SELECT "j", "key", count(*) AS "groups", sum("n") AS "n" FROM (${flat}) GROUP BY "j", "key") GROUP BY "j"`;
}

function countsOf(row: Record<string, unknown>, scale: number): Counts {
  const values = Array.isArray(row.values) ? (row.values as { value: unknown; count: unknown }[]).slice(0, topCount).map((v) => ({ value: String(v.value), count: Number(v.count) })) : undefined;
  return { distinct: Number(row.distinct) * scale, once: Number(row.once) * scale, pairs: Number(row.pairs) * scale, ...(values ? { values } : {}) };
}

/**
 * One read of the sample, grouping each row by several sets at once: per
 * `hashed` column the (value, group) pairs of the values whose hash is a
 * multiple of `hashStep` (counts scaled back by it); per `whole` column every
 * (value, group) pair, with the values' counts; per number column of `barred`
 * its histogram bars, whose bounds the footer gave.
 */
async function samplePass(
  session: DataPlaneSession,
  location: string,
  sample: Sample,
  hashed: readonly Profiled[],
  whole: readonly Profiled[],
  barred: readonly Profiled[],
): Promise<{ counts: Map<number, Counts>; bars: Map<number, unknown> }> {
  const select = [`${sample.group} AS "g"`];
  const params: unknown[] = [location];
  const withBars: number[] = [];
  for (const { column, i } of hashed) {
    const c = quoteIdent(column.name);
    select.push(`CASE WHEN ${c} IS NOT NULL AND hash(${c}) % ${hashStep} = 0 THEN hash(${c}) END AS "k${i}"`);
  }
  for (const { column, i } of whole) select.push(`CAST(${quoteIdent(column.name)} AS VARCHAR) AS "v${i}"`);
  for (const { column, i, shape, footer } of barred) {
    if (shape !== 'number' || typeof footer?.min !== 'number' || typeof footer.max !== 'number') continue;
    params.push(footer.min, (footer.max - footer.min) / histogramBins || 1);
    const [lo, step] = [`$${params.length - 1}`, `$${params.length}`];
    select.push(`least(CAST(floor((CAST(${quoteIdent(column.name)} AS DOUBLE) - ${lo}) / ${step}) AS INTEGER), ${histogramBins - 1}) AS "b${i}"`);
    withBars.push(i);
  }
  const [hashKeys, wholeKeys, buckets] = [hashed.map(({ i }) => `"k${i}"`), whole.map(({ i }) => `"v${i}"`), withBars.map((i) => `"b${i}"`)];
  const sets = [...[...hashKeys, ...wholeKeys].map((k) => `(${k}, "g")`), ...buckets.map((b) => `(${b})`)];
  if (!sets.length) return { counts: new Map(), bars: new Map() };
  const parts = [
    ...(hashKeys.length ? [countsQuery(hashKeys, 0, false)] : []),
    ...(wholeKeys.length ? [countsQuery(wholeKeys, hashKeys.length, true)] : []),
    ...(buckets.length
      ? [`SELECT CASE ${buckets.map((b, j) => `WHEN ${b} IS NOT NULL THEN ${hashKeys.length + wholeKeys.length + j}`).join(' ')} END AS "j", NULL, NULL, NULL, NULL,
            list({ 'key': coalesce(${buckets.join(', ')}), 'value': "n" }) FROM sets WHERE coalesce(${buckets.join(', ')}) IS NOT NULL GROUP BY 1`]
      : []),
  ];
  const rows = await session.query(
    `WITH sets AS MATERIALIZED (SELECT ${[...hashKeys, ...wholeKeys, ...buckets].join(', ')}, count(*) AS "n"
       FROM (SELECT ${select.join(', ')} FROM read_parquet($1) WHERE ${sample.where}) GROUP BY GROUPING SETS (${sets.join(', ')}))
     ${parts.join(' UNION ALL ')}`,
    params,
  );
  const counts = new Map<number, Counts>();
  const bars = new Map<number, unknown>();
  for (const row of rows) {
    const j = Number(row.j);
    if (j < hashKeys.length) counts.set(hashed[j]!.i, countsOf(row, hashStep));
    else if (j < hashKeys.length + wholeKeys.length) counts.set(whole[j - hashKeys.length]!.i, countsOf(row, 1));
    else bars.set(withBars[j - hashKeys.length - wholeKeys.length]!, row.bars);
  }
  return { counts, bars };
}
