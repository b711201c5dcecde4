/**
 * How SQLite values become data-plane values and back.
 *
 * SQLite is dynamically typed: a column's declared type only gives it an
 * affinity, and any cell may hold an integer, a real, text, a blob or NULL.
 * Reading therefore types each output column from its declared type, and a
 * cell that does not fit that type fails the read with its row and column:
 * nothing is rounded, truncated or guessed.
 *
 * Reading (declared type -> data-plane type), checked in this order:
 *
 * | declared type                          | type            | cells accepted                                   |
 * |----------------------------------------|-----------------|--------------------------------------------------|
 * | DECIMAL(p,s), NUMERIC(p,s), p <= 38    | DECIMAL(p,s)    | integers, reals and numeric text that fit exactly |
 * | DECIMAL_TEXT(p,s) (what Sluice creates) | DECIMAL(p,s)    | as above                                          |
 * | DECIMAL, NUMERIC (no precision, p > 38) | DOUBLE          | reals; integers a double holds exactly            |
 * | BOOL, BOOLEAN                          | BOOLEAN         | 0 and 1                                           |
 * | DATE, DATETIME, TIMESTAMP, TIME        | VARCHAR         | text, as stored (parse it in a SQL block)         |
 * | JSON                                   | VARCHAR         | text                                              |
 * | contains INT (INTEGER affinity)        | BIGINT          | integers (all 64 bits, read exactly)              |
 * | contains CHAR, CLOB or TEXT            | VARCHAR         | text                                              |
 * | contains BLOB                          | BLOB            | blobs                                             |
 * | contains REAL, FLOA or DOUB            | DOUBLE          | reals; integers a double holds exactly            |
 * | contains NUM or DEC                    | DOUBLE          | as above                                          |
 * | none (expressions, untyped columns), or any other name | from the first batch of rows: BIGINT if all integers, DOUBLE if numbers, VARCHAR if text (or all NULL), BLOB if blobs; later rows must fit |
 *
 * Writing (data-plane type -> declared type of a created column):
 *
 * | type                          | declared          | stored as                                                  |
 * |-------------------------------|-------------------|------------------------------------------------------------|
 * | integer types                 | INTEGER           | integers; values outside 64 bits fail                      |
 * | DOUBLE, FLOAT                 | REAL              | reals; NaN fails (SQLite would store NULL)                  |
 * | DECIMAL(p,s)                  | DECIMAL_TEXT(p,s) | text with every digit. A NUMERIC column would turn text into a REAL and keep only 15 significant digits; the TEXT in the name gives the column TEXT affinity, and reading maps it back to DECIMAL(p,s) |
 * | BOOLEAN                       | BOOLEAN           | integers 0 and 1                                           |
 * | VARCHAR                       | TEXT              | text                                                       |
 * | BLOB                          | BLOB              | blobs                                                      |
 * | DATE, TIME, TIMESTAMP[ TZ]    | TEXT              | ISO 8601 text: `2024-01-31`, `2024-01-31 13:45:00.5`       |
 * | JSON and anything else        | TEXT              | the data plane's text form                                 |
 */

/** What a read column holds and how its cells are checked. */
export type ReadKind = 'integer' | 'real' | 'text' | 'blob' | 'boolean' | 'decimal' | 'dynamic';

export interface ReadType {
  readonly kind: ReadKind;
  /** The data-plane type; undefined for `dynamic` until the first rows are seen. */
  readonly duck: string | undefined;
  readonly precision?: number;
  readonly scale?: number;
}

const decimalType = /^(?:DECIMAL|NUMERIC)(?:_TEXT)?\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/;

/** The output type of a column from its declared SQLite type (null for expressions). */
export function readTypeFor(declared: string | null | undefined): ReadType {
  const type = (declared ?? '').trim().toUpperCase();
  if (!type) return { kind: 'dynamic', duck: undefined };
  const decimal = decimalType.exec(type);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2] ?? 0);
    if (precision >= 1 && precision <= 38 && scale <= precision) return { kind: 'decimal', duck: `DECIMAL(${precision},${scale})`, precision, scale };
    return { kind: 'real', duck: 'DOUBLE' };
  }
  if (/^(DECIMAL|NUMERIC)\b/.test(type)) return { kind: 'real', duck: 'DOUBLE' };
  if (/^BOOL(EAN)?\b/.test(type)) return { kind: 'boolean', duck: 'BOOLEAN' };
  if (/^(DATE|DATETIME|TIMESTAMP|TIME|JSON)\b/.test(type)) return { kind: 'text', duck: 'VARCHAR' };
  // SQLite's own affinity rules, in its order.
  if (type.includes('INT')) return { kind: 'integer', duck: 'BIGINT' };
  if (/CHAR|CLOB|TEXT/.test(type)) return { kind: 'text', duck: 'VARCHAR' };
  if (type.includes('BLOB')) return { kind: 'blob', duck: 'BLOB' };
  if (/REAL|FLOA|DOUB|NUM|DEC/.test(type)) return { kind: 'real', duck: 'DOUBLE' };
  return { kind: 'dynamic', duck: undefined };
}

const dynamicTypes: Record<string, ReadType> = {
  integer: { kind: 'integer', duck: 'BIGINT' },
  real: { kind: 'real', duck: 'DOUBLE' },
  text: { kind: 'text', duck: 'VARCHAR' },
  blob: { kind: 'blob', duck: 'BLOB' },
};

/**
 * Types a column without a usable declared type from the first rows read, or
 * returns the storage classes it mixes (which no single type holds exactly).
 */
export function resolveDynamic(values: Iterable<unknown>): ReadType | { readonly mixed: string[] } {
  const seen = new Set<string>();
  for (const value of values) if (value !== null) seen.add(storageClass(value));
  if (seen.size === 0) return dynamicTypes.text!;
  if (seen.size === 2 && seen.has('integer') && seen.has('real')) return dynamicTypes.real!;
  if (seen.size === 1) return dynamicTypes[[...seen][0]!]!;
  return { mixed: [...seen].sort() };
}

export function storageClass(value: unknown): string {
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return 'real';
  if (typeof value === 'string') return 'text';
  if (Buffer.isBuffer(value)) return 'blob';
  return typeof value;
}

/** Why a cell does not fit its column; the caller adds the row and column. */
export class ValueMismatch extends Error {}

/**
 * A function turning one cell (as read with safe integers) into the value the
 * data plane stores for `type`; it throws ValueMismatch for a cell that does
 * not fit. Reals and blobs travel as text: the data plane casts them to the
 * declared type exactly (shortest round-trip digits; `\xHH` bytes).
 */
export function cellConverter(type: ReadType): (value: unknown) => unknown {
  switch (type.kind) {
    case 'integer':
      return (v) => {
        if (typeof v === 'bigint' || v === null) return v;
        throw new ValueMismatch(`${describe(v)} is not an integer`);
      };
    case 'real':
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'number') return String(v);
        if (typeof v === 'bigint' && BigInt(Number(v)) === v) return String(Number(v));
        throw new ValueMismatch(`${describe(v)} is not a number a DOUBLE holds exactly`);
      };
    case 'text':
      return (v) => {
        if (typeof v === 'string' || v === null) return v;
        throw new ValueMismatch(`${describe(v)} is not text`);
      };
    case 'blob':
      return (v) => {
        if (v === null) return null;
        if (Buffer.isBuffer(v)) return v.toString('hex').replace(/../g, '\\x$&');
        throw new ValueMismatch(`${describe(v)} is not a blob`);
      };
    case 'boolean':
      return (v) => {
        if (v === null) return null;
        if (v === 0n || v === 0) return false;
        if (v === 1n || v === 1) return true;
        throw new ValueMismatch(`${describe(v)} is not a boolean (0 or 1)`);
      };
    case 'decimal': {
      const precision = type.precision!;
      const scale = type.scale!;
      // Most cells are already plain decimal text that fits: pass those through without rebuilding them.
      const whole = precision - scale === 0 ? '0' : `(?:0|[1-9]\\d{0,${precision - scale - 1}})`;
      const fits = new RegExp(`^-?${whole}${scale ? `(?:\\.\\d{1,${scale}})?` : ''}$`);
      return (v) => (v === null ? null : typeof v === 'string' && fits.test(v) ? v : exactDecimal(v, precision, scale));
    }
    case 'dynamic':
      throw new Error('a dynamic column must be resolved before its cells are converted');
  }
}

const decimalText = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** The decimal text of `value` when it fits DECIMAL(precision, scale) without rounding. */
function exactDecimal(value: unknown, precision: number, scale: number): string {
  const text = typeof value === 'bigint' ? String(value) : typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : decimalText.exec(text);
  if (!match || (!match[2] && !match[3])) throw new ValueMismatch(`${describe(value)} is not a decimal number`);
  const whole = match[2]!.replace(/^0+/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > scale) throw new ValueMismatch(`${describe(value)} has more than ${scale} decimal places`);
  if (whole.length > precision - scale) throw new ValueMismatch(`${describe(value)} has more than ${precision - scale} digits before the point`);
  const sign = match[1] === '-' && (whole || fraction) ? '-' : '';
  return `${sign}${whole || '0'}${fraction ? `.${fraction}` : ''}`;
}

function describe(value: unknown): string {
  const kind = storageClass(value);
  if (typeof value === 'string') return `text '${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  if (Buffer.isBuffer(value)) return `a blob of ${value.length} bytes`;
  return `${kind === 'integer' ? 'the integer' : kind === 'real' ? 'the real' : 'the value'} ${String(value)}`;
}

/** How a data-plane column is created in SQLite, and the data-plane expression that yields bindable values. */
export interface WriteType {
  readonly declared: string;
  /** SQL over the quoted column name in the data plane. */
  readonly select: (column: string) => string;
}

const integerTypes = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT|UHUGEINT|INT[0-9]*)$/;

export function writeTypeFor(duckType: string): WriteType {
  const type = duckType.trim().toUpperCase();
  const asText = (column: string): string => `CAST(${column} AS VARCHAR)`;
  if (integerTypes.test(type)) return { declared: 'INTEGER', select: (c) => c };
  if (type === 'DOUBLE' || type === 'FLOAT' || type === 'REAL') {
    // SQLite stores NaN as NULL; refusing it keeps the write exact.
    return { declared: 'REAL', select: (c) => `CASE WHEN isnan(${c}) THEN error('a NaN in column ' || ${sqlText(c)} || ' cannot be stored in SQLite') ELSE ${c} END` };
  }
  const decimal = /^DECIMAL\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
  if (decimal) return { declared: `DECIMAL_TEXT(${decimal[1]},${decimal[2]})`, select: asText };
  if (type === 'BOOLEAN') return { declared: 'BOOLEAN', select: (c) => `CAST(${c} AS TINYINT)` };
  if (type === 'BLOB') return { declared: 'BLOB', select: (c) => c };
  if (type === 'VARCHAR') return { declared: 'TEXT', select: (c) => c };
  return { declared: 'TEXT', select: asText };
}

/** A quoted identifier as a SQL string literal, for messages built in SQL. */
function sqlText(quotedIdent: string): string {
  return `'${quotedIdent.replaceAll("'", "''")}'`;
}
