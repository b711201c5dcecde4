import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';
import type { FileReadSpec, RejectedRow, Row, StoredOutput } from './data-plane.ts';
import {
  badSql,
  badValueReason,
  convertSql,
  dateCandidatesSql,
  needsStats,
  planDeclared,
  planFromStats,
  statsInputSql,
  statsSql,
  type CsvColumnPlan,
  type CsvValueStyle,
  type NumberStats,
  wideNumber,
} from './csv-columns.ts';
import { excerpt, findLongRecord, placeRecords, walkCsvRecords, type CsvQuoting, type CsvRecordPlace } from './csv-records.ts';
import { transcodeFile } from './transcode-file.ts';
import { checkedTypeName } from './checked-type-name.ts';

/** What the CSV reader needs from a data plane session. */
export interface CsvEngine {
  query(sql: string): Promise<Row[]>;
  storeQuery(sql: string, location: string, signal?: AbortSignal): Promise<StoredOutput>;
  /** The engine's own rejects of the last scan that stored them, lines counted in the file. */
  readRejects(limit: number): Promise<RejectedRow[]>;
  /** Where transcoded copies of files wait while they are read. */
  readonly scratch: string;
}

/** Encodings the engine reads itself; others are transcoded to UTF-8 in a stream first. */
const engineEncodings: Readonly<Record<string, string>> = { 'utf-8': 'utf-8', 'utf-16': 'utf-16', 'latin-1': 'latin-1' };
/** The engine's line limit when none is set, in bytes. */
export const defaultMaxLineSize = 2_000_000;
/** Records the engine's sniffer reads; a too-long line among them makes it fail slowly and name line 1. */
const sniffedRecords = 20_480;
const maxRejects = 1000;
const commonDelimiters = [',', ';', '\t', '|'] as const;

/**
 * Reads CSV files into a stored output, refusing to guess: the delimiter is
 * never a one-column reading of a header that has a common delimiter, dates
 * are ISO 8601 or the user's formats (never an ambiguous one), numbers keep
 * every digit, overflow and NaN are bad values, and a bad row names its file,
 * line and column (or lands in the rejects).
 */
export async function storeCsvFiles(engine: CsvEngine, spec: FileReadSpec, location: string, signal?: AbortSignal): Promise<StoredOutput & { rejects: RejectedRow[] }> {
  const csv = spec.csv ?? {};
  const style: CsvValueStyle = {
    dateFormats: csv.dateFormats ?? [],
    decimal: csv.decimal,
    thousands: csv.thousands,
    allowNanInfinity: csv.allowNanInfinity ?? false,
  };
  const matched = await expandPaths(engine, spec.paths);
  const copies = await transcodeCopies(engine.scratch, { ...spec, paths: matched }, signal);
  try {
    const files = copies.paths;
    const original = (file: string): string => copies.original.get(file) ?? file;
    const gzip = !copies.transcoded && (spec.compression === 'gzip' || (spec.compression === undefined && files.some((f) => /\.(gz|gzip)$/i.test(f))));
    const quoting: CsvQuoting = { quote: csv.quote, escape: csv.escape, skip: csv.skip, gzip };
    const lineLimit = csv.maxLineSize ?? defaultMaxLineSize;
    for (const file of files) {
      const long = await findLongRecord(file, quoting, lineLimit, sniffedRecords);
      if (long) throw longLineError(original(file), long, lineLimit);
    }
    const options = baseOptions(spec, copies.transcoded);
    const paths = `[${files.map(quoteLiteral).join(', ')}]`;
    let plans = await planColumns(engine, paths, options, csv.columns ?? {}, style);
    if (csv.delimiter === undefined && plans.length === 1 && files[0]) {
      const delimiter = await delimiterInHeader(files[0], quoting);
      if (delimiter) {
        options.push(`delim = ${quoteLiteral(delimiter)}`);
        plans = await planColumns(engine, paths, options, csv.columns ?? {}, style);
      }
    }
    const types = (): string => plans.map((p) => `${quoteLiteral(p.name)}: ${quoteLiteral(p.kind === 'engine' ? p.type : 'VARCHAR')}`).join(', ');
    const scan = (...extra: string[]): string => `read_csv(${paths}, ${[...options, `types = {${types()}}`, ...extra].join(', ')})`;
    const filename = spec.filenameColumn;
    const select = (bad: 'fail' | 'drop'): string => {
      const checks = plans.map((p) => badSql(p, style)).filter((s): s is string => s !== undefined);
      const columns = plans.map((p) => {
        const value = convertSql(p, style);
        const check = badSql(p, style);
        return `${bad === 'fail' && check ? `CASE WHEN ${check} THEN error('sluice: bad value') ELSE ${value} END` : value} AS ${quoteIdent(p.name)}`;
      });
      if (filename) columns.push(`${copies.transcoded ? originalNameSql(quoteIdent(filename), copies.original) : quoteIdent(filename)} AS ${quoteIdent(filename)}`);
      const where = bad === 'drop' && checks.length ? ` WHERE NOT (${checks.join(' OR ')})` : '';
      return `SELECT ${columns.join(', ')} FROM ${scan(...(filename ? [`filename = ${quoteLiteral(filename)}`] : []), ...(bad === 'drop' ? ['store_rejects = true'] : []))}${where}`;
    };
    const diagnose = async (limit: number, engineRejects?: RejectedRow[]): Promise<RejectedRow[]> => {
      const fromEngine = engineRejects ?? (await engineRejectsOf(engine, scan('store_rejects = true'), limit));
      // A failed read is diagnosed on every row: size guessed columns first, so a long value is judged, not a stop.
      if (!engineRejects && plans.some((p) => p.kind === 'float' && p.guarded)) plans = await planColumns(engine, paths, options, csv.columns ?? {}, style, true);
      const fromChecks = await checkRejects(engine, scan, plans, style, limit, quoting, csv.header !== false, await engineRecords(engine));
      return [...fromEngine.map(inWords), ...fromChecks]
        .map((r) => ({ ...r, file: original(r.file) }))
        .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
        .slice(0, limit);
    };
    const dropRejects = (): Promise<unknown> => engine.query('DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans;');
    // A long value in a column guessed DOUBLE: size that column on every value, then read again.
    const sizedAgain = async <T>(store: () => Promise<T>): Promise<T> =>
      store().catch(async (error: unknown) => {
        if (!String((error as Error)?.message).includes(wideNumber)) throw error;
        plans = await planColumns(engine, paths, options, csv.columns ?? {}, style, true);
        await dropRejects();
        return store();
      });
    if (!spec.collectRejects) {
      try {
        return { ...(await sizedAgain(() => engine.storeQuery(select('fail'), location, signal))), rejects: [] };
      } catch (error) {
        if (signal?.aborted) throw error;
        const [first] = await diagnose(1).catch(() => []);
        if (first) throw badRowError(first, error);
        throw csvError(spec, error, original);
      }
    }
    await dropRejects();
    const stored = await sizedAgain(() => engine.storeQuery(select('drop'), location, signal)).catch((error: unknown) => {
      throw csvError(spec, error, original);
    });
    return { ...stored, rejects: await diagnose(maxRejects, await engine.readRejects(maxRejects)) };
  } finally {
    copies.remove();
  }
}

function baseOptions(spec: FileReadSpec, transcoded: boolean): string[] {
  const csv = spec.csv ?? {};
  const options: string[] = [];
  const compression = transcoded ? 'none' : spec.compression;
  if (compression) options.push(`compression = ${quoteLiteral(compression)}`);
  if (csv.delimiter !== undefined) options.push(`delim = ${quoteLiteral(csv.delimiter)}`);
  if (csv.quote !== undefined) options.push(`quote = ${quoteLiteral(csv.quote)}`);
  if (csv.escape !== undefined) options.push(`escape = ${quoteLiteral(csv.escape)}`);
  options.push(`header = ${csv.header === false ? 'false' : 'true'}`);
  const encoding = csv.encoding && !transcoded ? engineEncodings[csv.encoding] : undefined;
  if (encoding) options.push(`encoding = ${quoteLiteral(encoding)}`);
  if (csv.nullString !== undefined) {
    const nulls = typeof csv.nullString === 'string' ? [csv.nullString] : csv.nullString;
    options.push(`nullstr = [${nulls.map(quoteLiteral).join(', ')}]`);
  }
  // Undeclared columns are dates only in IS 8601: the engine would otherwise pick a day/month order from the first rows.
  options.push(`dateformat = '%Y-%m-%d'`);
  if (csv.skip !== undefined) options.push(`skip = ${Number(csv.skip)}`);
  if (csv.allowQuotedNulls === false) options.push('allow_quoted_nulls = false');
  if (csv.maxLineSize !== undefined) {
    // Left to itself the reader sizes its buffer from the line limit, many times over per thread: past the memory limit at 1M rows.
    const size = Number(csv.maxLineSize);
    options.push(`max_line_size = ${size}`, `buffer_size = ${Math.max(2 * size, 16 * 1024 * 1024)}`);
  }
  return options;
}

/**
 * Rows of different lengths make the engine's sniffer settle on one column
 * named after the whole header line. When that header holds a common
 * delimiter, that delimiter is the one: rows that disagree are then bad rows.
 */
async function delimiterInHeader(file: string, quoting: CsvQuoting): Promise<string | undefined> {
  let header = '';
  await walkCsvRecords(file, quoting, (_, place) => {
    header = place.excerpt;
    return false;
  });
  const counts = commonDelimiters.map((d) => ({ d, n: header.split(d).length - 1 })).filter((c) => c.n > 0);
  return counts.sort((a, b) => b.n - a.n)[0]?.d;
}

/** Each column's plan: declared ones as declared, undeclared number columns sized on every value, not a sample. */
async function planColumns(
  engine: CsvEngine,
  paths: string,
  options: readonly string[],
  declared: Readonly<Record<string, string>>,
  style: CsvValueStyle,
  measureAll = false,
): Promise<CsvColumnPlan[]> {
  const declaredPlans = Object.entries(declared).map(([name, type]) => planDeclared(name, checkedTypeName(type, name), style));
  const asTypes = (plans: readonly CsvColumnPlan[]): string =>
    plans.length ? `, types = {${plans.map((p) => `${quoteLiteral(p.name)}: ${quoteLiteral(p.kind === 'engine' ? p.type : 'VARCHAR')}`).join(', ')}}` : '';
  const sniffed = await engine.query(`DESCRIBE SELECT * FROM read_csv(${paths}, ${[...options, 'ignore_errors = true'].join(', ')}${asTypes(declaredPlans)})`);
  const plans: CsvColumnPlan[] = [];
  const measured: { index: number; name: string; sniffed: string }[] = [];
  for (const row of sniffed) {
    const name = String(row.column_name);
    const type = String(row.column_type);
    const own = declaredPlans.find((p) => p.name === name);
    if (own) plans.push(own);
    else {
      const needs = needsStats(type, style);
      if (needs === 'guard' && !measureAll) plans.push({ kind: 'float', name, type: 'DOUBLE', guarded: true });
      else {
        if (needs !== 'no') measured.push({ index: plans.length, name, sniffed: type });
        plans.push({ kind: 'engine', name, type });
      }
    }
  }
  if (!measured.length) return plans;
  const asText = plans.map((p, i) => (measured.some((m) => m.index === i) ? { kind: 'engine' as const, name: p.name, type: 'VARCHAR' } : p));
  const [stats] = await engine.query(
    `SELECT ${measured.map((_, i) => statsSql(`c${i}`)).join(', ')}
       FROM (SELECT ${measured.map((m, i) => statsInputSql(m.name, `c${i}`, style)).join(', ')} FROM read_csv(${paths}, ${[...options, 'ignore_errors = true'].join(', ')}${asTypes(asText)}))`,
  );
  measured.forEach((m, i) => {
    const field = (f: keyof NumberStats): number => Number(stats?.[`c${i}_${f}`] ?? 0);
    const numbers: NumberStats = {
      values: field('values'),
      numbers: field('numbers'),
      integers: field('integers'),
      plain: field('plain'),
      intDigits: field('intDigits'),
      fracDigits: field('fracDigits'),
      significant: field('significant'),
    };
    plans[m.index] = planFromStats(m.name, m.sniffed, numbers);
  });
  return plans;
}

/** Rows the engine itself refused (wrong field count, a value not of a declared type), with their lines. */
async function engineRejectsOf(engine: CsvEngine, scan: string, limit: number): Promise<RejectedRow[]> {
  try {
    await engine.query('DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans;');
    // count(COLUMNS(*)) makes every column parse; a bare count(*) would skip the bad value.
    await engine.query(`SELECT count(COLUMNS(*)) FROM ${scan}`);
    return await engine.readRejects(limit);
  } catch {
    return [];
  }
}

/** The records (header = 1) the engine refused, per file: the rows after them shift by one each. */
async function engineRecords(engine: CsvEngine): Promise<Map<string, number[]>> {
  const rows = await engine
    .query(`SELECT DISTINCT s.file_path AS file, e.line AS line FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) ORDER BY line`)
    .catch(() => []);
  const records = new Map<string, number[]>();
  for (const r of rows) records.set(String(r.file), [...(records.get(String(r.file)) ?? []), Number(r.line)]);
  return records;
}

/** Rows with a value the checks refused, in file order, with the line each starts on. */
async function checkRejects(
  engine: CsvEngine,
  scan: (...extra: string[]) => string,
  plans: readonly CsvColumnPlan[],
  style: CsvValueStyle,
  limit: number,
  quoting: CsvQuoting,
  header: boolean,
  skipped: Map<string, number[]>,
): Promise<RejectedRow[]> {
  const checked = plans.filter((p) => badSql(p, style) !== undefined);
  if (!checked.length) return [];
  const columns = checked.flatMap((p, i) => [
    `${quoteIdent(p.name)} AS raw_${i}`,
    `${badSql(p, style)} AS bad_${i}`,
    `${dateCandidatesSql(p, style) ?? 'NULL'} AS dates_${i}`,
  ]);
  const rows = await engine.query(
    `SELECT * FROM (SELECT __file, row_number() OVER (PARTITION BY __file) AS __n, ${columns.join(', ')}
       FROM ${scan("filename = '__file'", 'ignore_errors = true', 'parallel = false')})
      WHERE ${checked.map((_, i) => `bad_${i}`).join(' OR ')} ORDER BY __file, __n LIMIT ${Number(limit)}`,
  );
  const byFile = new Map<string, Row[]>();
  for (const r of rows) byFile.set(String(r.__file), [...(byFile.get(String(r.__file)) ?? []), r]);
  const rejects: RejectedRow[] = [];
  for (const [file, found] of byFile) {
    const records = recordsOfRows(found.map((r) => Number(r.__n)), header, skipped.get(file) ?? []);
    const places = await placeRecords(file, quoting, [...records.values()]);
    for (const r of found) {
      const index = checked.findIndex((_, i) => r[`bad_${i}`] === true);
      const plan = checked[index]!;
      const record = records.get(Number(r.__n))!;
      const place = places.get(record);
      const dates = r[`dates_${index}`] as (string | null)[] | null;
      rejects.push({
        file,
        line: place?.line ?? record,
        column: plan.name,
        reason: badValueReason(plan, String(r[`raw_${index}`]), style, dates ?? undefined),
        text: place?.excerpt ?? '',
      });
    }
  }
  return rejects;
}

/** Maps the n-th row the engine returned to its record, skipping the header and the records it refused. */
function recordsOfRows(rows: readonly number[], header: boolean, refused: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  const skip = new Set(refused);
  let record = header ? 1 : 0;
  let row = 0;
  for (const wanted of [...rows].sort((a, b) => a - b)) {
    while (row < wanted) {
      record++;
      if (!skip.has(record)) row++;
    }
    out.set(wanted, record);
  }
  return out;
}

/** Globs expanded to files, since lines are counted and encodings transcoded file by file. */
async function expandPaths(engine: CsvEngine, patterns: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    const found = await engine.query(`SELECT file FROM glob(${quoteLiteral(pattern)}) ORDER BY file`);
    if (!found.length) {
      throw new SluiceError('file.read_failed', `cannot read csv: no file matches ${pattern}`, { location: { file: pattern } });
    }
    files.push(...found.map((r) => String(r.file)));
  }
  return files;
}

interface Copies {
  readonly paths: string[];
  readonly original: Map<string, string>;
  readonly transcoded: boolean;
  remove(): void;
}

/** Files in an encoding the engine does not read are transcoded to UTF-8 copies, in a stream. */
async function transcodeCopies(scratch: string, spec: FileReadSpec, signal?: AbortSignal): Promise<Copies> {
  const encoding = spec.csv?.encoding;
  if (!encoding || engineEncodings[encoding]) return { paths: [...spec.paths], original: new Map(), transcoded: false, remove() {} };
  const dir = path.join(scratch, `transcoded-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  const original = new Map<string, string>();
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const paths = await Promise.all(
      spec.paths.map(async (file, i) => {
        const copy = path.join(dir, `${i}.csv`);
        const gzip = spec.compression === 'gzip' || (spec.compression === undefined && /\.(gz|gzip)$/i.test(file));
        await transcodeFile(file, copy, encoding, { gzip, signal });
        original.set(copy, file);
        return copy;
      }),
    );
    return { paths, original, transcoded: true, remove };
  } catch (error) {
    remove();
    throw new SluiceError('file.read_failed', `cannot read ${spec.paths[0]} as ${encoding}: ${(error as Error).message}`, { cause: error });
  }
}

function originalNameSql(column: string, original: ReadonlyMap<string, string>): string {
  return `CASE ${column} ${[...original].map(([copy, file]) => `WHEN ${quoteLiteral(copy)} THEN ${quoteLiteral(file)}`).join(' ')} ELSE ${column} END`;
}

/** The engine's field-count message, said as a person would; the column it names is only where it noticed. */
function inWords(row: RejectedRow): RejectedRow {
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(row.reason);
  if (!counts) return row;
  return { ...row, column: undefined, reason: `the row has ${counts[2]} fields where the header has ${counts[1]}` };
}

function badRowError(row: RejectedRow, cause: unknown): SluiceError {
  const text = row.text ? ` (row: ${excerpt(row.text)})` : '';
  const reason = row.column && !row.reason.includes(`column '${row.column}'`) ? `column '${row.column}': ${row.reason}` : row.reason;
  return new SluiceError('file.bad_row', `${excerpt(reason, 300)}${text}`, { location: { file: row.file, line: row.line }, cause });
}

function longLineError(file: string, place: CsvRecordPlace, limit: number): SluiceError {
  return new SluiceError(
    'file.line_too_long',
    `a row of ${place.bytes.toLocaleString('en-US')} bytes is longer than max_line_size (${limit.toLocaleString('en-US')} bytes); raise max_line_size (row: ${place.excerpt.slice(0, 40)}…)`,
    { location: { file, line: place.line } },
  );
}

/** The engine's message without its SQL, settings dump or the quoted line (which may be megabytes). */
function csvError(spec: FileReadSpec, error: unknown, original: (file: string) => string): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstPath = spec.paths.length === 1 ? spec.paths[0] : undefined;
  const detail = message
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('  ') && !l.startsWith('LINE ') && !l.startsWith('Original Line') && !l.startsWith('*') && !l.startsWith('Possible'))
    .slice(0, 3)
    .map((l) => excerpt(l, 200))
    .join('; ');
  // A row of many megabytes needs a few times its size in memory while it is read and stored.
  const hint = /Out of Memory/i.test(message) ? ' (raise data_plane.memory_limit in sluice.yaml; a long row needs about three times its size)' : '';
  return new SluiceError('file.read_failed', `cannot read csv: ${detail}${hint}`, {
    cause: error,
    ...(firstPath ? { location: { file: original(firstPath) } } : {}),
  });
}
