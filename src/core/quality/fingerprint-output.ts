import type { Column, DataPlaneSession, Row, StoredOutput } from '../data-plane/data-plane.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';

/** What one column of an output looked like in one run. */
export interface ColumnFingerprint {
  readonly name: string;
  /** The data plane's type, e.g. `VARCHAR`, `BIGINT`. */
  readonly type: string;
  /** Nulls among the rows read, as a share (0 to 1); absent for an empty output. */
  readonly nullRate?: number | undefined;
  /** For a text column: the most common shape of its values (see `valueShapeSql`). */
  readonly shape?: string | undefined;
  /** The share of the column's non-null values that have that shape. */
  readonly shapeShare?: number | undefined;
}

/** The recorded form of a block output, against which the next run's output is compared. */
export interface OutputFingerprint {
  readonly rows: number;
  /** Set when the output was larger than `fingerprintSampleRows`: the shares describe a sample of this many rows. */
  readonly sampled?: number | undefined;
  readonly columns: readonly ColumnFingerprint[];
}

/**
 * Larger outputs are fingerprinted on a sample of this many rows: a shape that
 * holds for 100,000 rows spread over the output holds for the output, and the
 * regular expressions that classify values cost too much to run on every row
 * of a large output on every run.
 */
export const fingerprintSampleRows = 100_000;

/** The sample is this many runs of consecutive rows, spread evenly from the first row to the last. */
const sampleWindows = 50;

/** A text column whose most common shape covers at least this share of its values has an established shape. */
export const establishedShare = 0.9;

const isText = (column: Column): boolean => column.type === 'VARCHAR';

/**
 * SQL classifying a text value by its shape: `number` (numeric text like `12`
 * or `-1.5e3`), `email`, `uuid`, `blank`, a mask for short values with digits
 * (digits become `9`, runs of letters `a`: `2024-03-07` is `9999-99-99`,
 * `03/07/2024` is `99/99/9999`, `Mar 7, 2024` is `a 9, 9999`), or `text`.
 * Null stays null.
 */
export function valueShapeSql(value: string): string {
  return `CASE WHEN ${value} IS NULL THEN NULL
    WHEN regexp_full_match(trim(${value}), '[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?') THEN 'number'
    WHEN regexp_full_match(trim(${value}), '[^@\\s]+@[^@\\s]+\\.[^@\\s]+') THEN 'email'
    WHEN regexp_full_match(trim(${value}), '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}') THEN 'uuid'
    WHEN trim(${value}) = '' THEN 'blank'
    WHEN length(${value}) <= 40 AND regexp_matches(${value}, '[0-9]') THEN regexp_replace(regexp_replace(${value}, '[0-9]', '9', 'g'), '\\pL+', 'a', 'g')
    ELSE 'text' END`;
}

/**
/**
 * A sync fingerprints every batch it reads, and its batches are compared with
 * one another: a sample of this many rows of each batch judges its null rates
 * and shapes to well within the thresholds (a share from 20,000 rows is off by
 * under 1% at 95% confidence; a jump must exceed 20%), at a fifth of the cost
 * of shaping every row of a 100,000-row batch.
 */
export const batchFingerprintSampleRows = 20_000;

/**
 * The rows a fingerprint reads: all of a small output; of a large one, evenly
 * spaced runs of rows picked by their row number. A random sample would shape
 * every row before choosing, and the same output always gives the same sample.
 * The runs start every `stride` rows, so one remainder test per row finds them:
 * as fifty ranges joined by OR, the test cost more than the rest of the
 * fingerprint (0.4 of 0.55 CPU seconds at 4.7 million rows).
 */
export function fingerprintSource(output: StoredOutput, sampleRows = fingerprintSampleRows): string {
  const location = quoteLiteral(output.location);
  if (output.rows <= sampleRows) return `read_parquet(${location})`;
  const run = Math.max(1, Math.floor(sampleRows / sampleWindows));
  const stride = Math.floor(output.rows / sampleWindows);
  // Run k is [k * stride, k * stride + run) for k below sampleWindows; the few rows past the last stride are left out.
  return `(SELECT * EXCLUDE (file_row_number) FROM read_parquet(${location}, file_row_number = true) WHERE file_row_number % ${stride} < ${run} AND file_row_number < ${sampleWindows * stride})`;
}

/**
 * Fingerprints a stored output with one read of it by the data plane (the rows
 * never come into JavaScript). Without text columns, rows and nulls are
 * counted in one pass. With them, the rows to read (a sample of a large
 * output) are shaped once into a temporary table, where rows and nulls are
 * counted, each text column's most common shape found, and then how many
 * values have it.
 */
export async function fingerprintOutput(session: DataPlaneSession, output: StoredOutput, sampleRows = fingerprintSampleRows): Promise<OutputFingerprint> {
  const texts = output.columns.map((column, i) => ({ column, i })).filter(({ column }) => isText(column));
  const { stats, shares } = texts.length ? await countShapes(session, output, sampleRows, texts) : await countNulls(session, output, sampleRows);
  const read = Number(stats.rows ?? 0);
  const columns = output.columns.map((column, i): ColumnFingerprint => {
    const nulls = Number(stats[`n${i}`] ?? 0);
    const base = { name: column.name, type: column.type, ...(read ? { nullRate: nulls / read } : {}) };
    const mode = stats[`m${i}`];
    if (!isText(column) || mode === null || mode === undefined) return base;
    return { ...base, shape: String(mode), shapeShare: Number(shares[`c${i}`] ?? 0) / (read - nulls) };
  });
  return { rows: output.rows, ...(output.rows > sampleRows ? { sampled: sampleRows } : {}), columns };
}

type Counts = { readonly stats: Row; readonly shares: Row };

/** Rows and nulls of every column, in one pass and with no table kept between passes. */
async function countNulls(session: DataPlaneSession, output: StoredOutput, sampleRows: number): Promise<Counts> {
  const counts = ['count(*) AS "rows"', ...output.columns.map((column, i) => `count(*) - count(${quoteIdent(column.name)}) AS "n${i}"`)];
  const [stats = {}] = await session.query(`SELECT ${counts.join(', ')} FROM ${fingerprintSource(output, sampleRows)}`);
  return { stats, shares: {} };
}

/** Rows, nulls, and each text column's most common shape with how many values have it. */
async function countShapes(session: DataPlaneSession, output: StoredOutput, sampleRows: number, texts: readonly { column: Column; i: number }[]): Promise<Counts> {
  const kept = [
    ...output.columns.map((column, i) => `${quoteIdent(column.name)} IS NULL AS "n${i}"`),
    ...texts.map(({ column, i }) => `${valueShapeSql(quoteIdent(column.name))} AS "k${i}"`),
  ];
  // Temporary tables belong to the session's own connection: block runs side by side never meet here.
  const shaped = '"_sluice_fingerprint"';
  await session.query(`CREATE OR REPLACE TEMPORARY TABLE ${shaped} AS SELECT ${kept.join(', ')} FROM ${fingerprintSource(output, sampleRows)}`);
  try {
    const first = ['count(*) AS "rows"', ...output.columns.map((_, i) => `count(*) FILTER (WHERE "n${i}") AS "n${i}"`), ...texts.map(({ i }) => `mode("k${i}") AS "m${i}"`)];
    const [stats = {}] = await session.query(`SELECT ${first.join(', ')} FROM ${shaped}`);
    const counted = texts.filter(({ i }) => stats[`m${i}`] !== null && stats[`m${i}`] !== undefined);
    const second = counted.map(({ i }) => `count(*) FILTER (WHERE "k${i}" = ${quoteLiteral(String(stats[`m${i}`]))}) AS "c${i}"`);
    const [shares = {}] = second.length ? await session.query(`SELECT ${second.join(', ')} FROM ${shaped}`) : [];
    return { stats, shares };
  } finally {
    await session.query(`DROP TABLE IF EXISTS ${shaped}`);
  }
}
