import { SluiceError } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';
import type { Column, FileReadSpec, RejectedRow, StoredFiles } from './data-plane.ts';
import {
  badSql,
  convertSql,
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
import { excerpt, findLongRecord, walkCsvRecords, type CsvQuoting, type CsvRecordPlace } from './csv-records.ts';
import type { CsvEngine } from './csv-engine.ts';
import { checkRejects, engineRecords, engineRejectsOf, inWords } from './csv-rejects.ts';
import { engineEncodings, expandPaths, originalNameSql, transcodeCopies } from './csv-source-files.ts';
import { checkedTypeName } from './checked-type-name.ts';
import { csvBufferSize, engineMaxLineSize } from './csv-buffer-size.ts';

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
export async function storeCsvFiles(engine: CsvEngine, spec: FileReadSpec, location: string, signal?: AbortSignal): Promise<StoredFiles> {
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
    /**
     * What `select` yields, known from the plans, so the query is not described before it is
     * stored; undefined when a column may be a 128-bit integer in any spelling, which the store
     * must see under the engine's own name to keep exact.
     */
    const yielded = (): Column[] | undefined => {
      const columns = [...plans.map((p) => ({ name: p.name, type: p.kind === 'date' ? 'DATE' : p.type })), ...(filename ? [{ name: filename, type: 'VARCHAR' }] : [])];
      return columns.some((c) => /HUGEINT|INT128/i.test(c.type)) ? undefined : columns;
    };
    const diagnose = async (limit: number, engineRejects?: RejectedRow[]): Promise<RejectedRow[]> => {
      const fromEngine = engineRejects ?? (await engineRejectsOf(engine, scan('store_rejects = true'), limit));
      // A failed read is diagnosed on every row: size guessed columns first, so a long value is judged, not a stop.
      if (!engineRejects && plans.some((p) => p.kind === 'float' && p.guarded)) plans = await planColumns(engine, paths, options, csv.columns ?? {}, style, true);
      const fromChecks = await checkRejects(engine, scan, plans, style, limit, quoting, csv.header !== false, await engineRecords(engine));
      return [...fromEngine.map(inWords), ...fromChecks]
        .map((r) => ({ ...r, file: original(r.file) }))
        .sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0))
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
        return { ...(await sizedAgain(() => engine.storeQuery(select('fail'), location, signal, [], yielded()))), rejects: [], rejectedCount: 0 };
      } catch (error) {
        if (signal?.aborted) throw error;
        const [first] = await diagnose(1).catch(() => []);
        if (first) throw badRowError(first, error);
        throw csvError(spec, error, original);
      }
    }
    await dropRejects();
    const stored = await sizedAgain(() => engine.storeQuery(select('drop'), location, signal, [], yielded())).catch((error: unknown) => {
      throw csvError(spec, error, original);
    });
    // Only the first rows are kept for the user to read; the count is of every rejected row.
    const [fromEngine] = await engine.query('SELECT count(DISTINCT (scan_id, file_id, line)) AS n FROM reject_errors');
    const checks = plans.map((p) => badSql(p, style)).filter((c): c is string => c !== undefined);
    const [fromChecks] = checks.length ? await engine.query(`SELECT count(*) AS n FROM ${scan('ignore_errors = true')} WHERE ${checks.join(' OR ')}`) : [];
    const rejects = await diagnose(maxRejects, await engine.readRejects(maxRejects));
    return { ...stored, rejects, rejectedCount: Math.max(rejects.length, Number(fromEngine?.n ?? 0) + Number(fromChecks?.n ?? 0)) };
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
  // Undeclared columns are dates only in ISO 8601: the engine would otherwise pick a day/month order from the first rows.
  options.push(`dateformat = '%Y-%m-%d'`);
  if (csv.skip !== undefined) options.push(`skip = ${Number(csv.skip)}`);
  if (csv.allowQuotedNulls === false) options.push('allow_quoted_nulls = false');
  if (csv.maxLineSize !== undefined) {
    const size = Number(csv.maxLineSize);
    options.push(`max_line_size = ${size}`, `buffer_size = ${csvBufferSize(size)}`);
  } else {
    options.push(`buffer_size = ${csvBufferSize(engineMaxLineSize)}`);
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
