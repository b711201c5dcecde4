import { ConfigError, SluiceError } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';
import type { Column, FileReadSpec, RejectedRow, Row, StoredOutput } from './data-plane.ts';

/** What the JSON reader needs from a session: describe, query and store. */
export interface JsonScanSession {
  describe(sql: string): Promise<Column[]>;
  query(sql: string): Promise<Row[]>;
  storeQuery(sql: string, location: string, signal?: AbortSignal): Promise<StoredOutput>;
}

/** A value test: rows where `ok` is false are rejected for `reason`. */
interface ColumnCheck {
  readonly column: string;
  readonly ok: string;
  readonly reason: string;
}

const fileColumn = '__sluice_file';
const integral = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT[1248]|LONG|SHORT)$/i;
const floating = /^(DOUBLE|FLOAT|REAL|FLOAT[48])$/i;

/**
 * Reads JSON arrays and JSON lines. Declared columns are read as the JSON
 * text and converted here, so a value that does not fit its type (`1e400`
 * into DECIMAL, `"12,5"` into a number, `1.5` into an integer) is found with
 * its record number instead of being rounded, nulled or made infinite. A
 * number too large for DOUBLE is refused in every column: JSON cannot spell
 * an infinity, so an infinite value is always an overflow.
 */
export async function storeJsonFiles(
  session: JsonScanSession,
  spec: FileReadSpec,
  location: string,
  checkedType: (type: string, column: string) => string,
  signal?: AbortSignal,
): Promise<StoredOutput & { rejects: RejectedRow[]; rejectedCount: number }> {
  const base = (columns?: string): string => {
    const opts = [`format = ${quoteLiteral(spec.format === 'json' ? 'array' : 'newline_delimited')}`, `filename = ${quoteLiteral(fileColumn)}`];
    if (spec.compression) opts.push(`compression = ${quoteLiteral(spec.compression)}`);
    if (columns) opts.push(`columns = {${columns}}`);
    return `read_json([${spec.paths.map(quoteLiteral).join(', ')}], ${opts.join(', ')})`;
  };
  const detected = (await session.describe(`SELECT * FROM ${base()}`)).filter((c) => c.name !== fileColumn);
  const declared = spec.json?.columns ?? {};
  const missing = Object.keys(declared).filter((name) => !detected.some((c) => c.name === name));
  if (missing.length) {
    throw new ConfigError('file.unknown_column', `columns: ${missing.map((m) => `'${m}'`).join(', ')} not in the records (found: ${detected.map((c) => c.name).join(', ')})`, {
      location: spec.paths.length === 1 ? { file: spec.paths[0]! } : undefined,
    });
  }
  // Declared columns come in as their JSON text; everything else keeps its detected type.
  const raw = detected.map((c) => ({ name: c.name, type: declared[c.name] === undefined ? c.type : 'VARCHAR' }));
  const checks: ColumnCheck[] = [];
  const select = raw.map((c) => {
    const id = quoteIdent(c.name);
    const wanted = declared[c.name];
    if (wanted === undefined) {
      if (floating.test(c.type)) checks.push({ column: c.name, ok: `${id} IS NULL OR NOT (isinf(${id}) OR isnan(${id}))`, reason: `a number too large for ${c.type}` });
      return id;
    }
    const type = checkedType(wanted, c.name);
    const cast = `TRY_CAST(${id} AS ${type})`;
    const exact = integral.test(type)
      ? ` AND regexp_full_match(trim(${id}), '[+-]?[0-9]+')`
      : floating.test(type)
        ? ` AND NOT (isinf(${cast}) OR isnan(${cast}))`
        : '';
    checks.push({ column: c.name, ok: `${id} IS NULL OR (${cast} IS NOT NULL${exact})`, reason: `does not fit ${type}` });
    return `${cast} AS ${id}`;
  });
  if (spec.filenameColumn) select.push(`${quoteIdent(fileColumn)} AS ${quoteIdent(spec.filenameColumn)}`);
  const struct = raw.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ');
  const scan = `(SELECT ordinality AS __sluice_n, * FROM ${base(struct)} WITH ORDINALITY)`;
  const allOk = checks.length ? checks.map((c) => `(${c.ok})`).join(' AND ') : 'true';

  const bad = checks.length ? await findBad(session, scan, raw, checks, allOk, spec.collectRejects ? 1000 : 1) : { rows: [], count: 0 };
  const first = bad.rows[0];
  if (first && !spec.collectRejects) {
    throw new SluiceError('file.bad_value', `column '${first.column}': ${first.reason} (record: ${first.text.slice(0, 200)})`, {
      location: { file: first.file, record: first.record },
    });
  }
  const stored = await session.storeQuery(`SELECT ${select.join(', ')} FROM ${scan} WHERE ${allOk}`, location, signal);
  return { ...stored, rejects: bad.rows, rejectedCount: bad.count };
}

/** The first `limit` rejected records, numbered from 1 within their file, and how many there are. */
async function findBad(
  session: JsonScanSession,
  scan: string,
  raw: readonly Column[],
  checks: readonly ColumnCheck[],
  allOk: string,
  limit: number,
): Promise<{ rows: RejectedRow[]; count: number }> {
  const [counted] = await session.query(`SELECT count(*) AS n FROM ${scan} WHERE NOT (${allOk})`);
  const count = Number(counted?.n ?? 0);
  if (!count) return { rows: [], count };
  const reason = `CASE ${checks.map((c) => `WHEN NOT (${c.ok}) THEN ${quoteLiteral(c.column)}`).join(' ')} END`;
  const value = `CASE ${checks.map((c) => `WHEN NOT (${c.ok}) THEN ${quoteIdent(c.column)}::VARCHAR`).join(' ')} END`;
  // JSON has no spelling for an infinity, so such a value goes into the record's text as a string.
  const field = (c: Column): string => (floating.test(c.type) ? `${quoteIdent(c.name)}::VARCHAR` : quoteIdent(c.name));
  const record = `to_json(struct_pack(${raw.map((c) => `${quoteIdent(c.name)} := ${field(c)}`).join(', ')}))`;
  const rows = await session.query(
    `WITH firsts AS (SELECT ${quoteIdent(fileColumn)} AS f, min(__sluice_n) AS n0 FROM ${scan} GROUP BY 1)
     SELECT s.${quoteIdent(fileColumn)} AS file, s.__sluice_n - firsts.n0 + 1 AS record, ${reason} AS column_name, ${value} AS bad_value, ${record} AS text
       FROM ${scan} s JOIN firsts ON firsts.f = s.${quoteIdent(fileColumn)}
      WHERE NOT (${allOk}) ORDER BY s.__sluice_n LIMIT ${Number(limit)}`,
  );
  return {
    count,
    rows: rows.map((r) => {
      const column = String(r.column_name);
      const check = checks.find((c) => c.column === column)!;
      return {
        file: String(r.file),
        record: Number(r.record),
        column,
        reason: `${JSON.stringify(r.bad_value)} ${check.reason.startsWith('does') ? check.reason : `is ${check.reason}`}`,
        text: String(r.text),
      };
    }),
  };
}
