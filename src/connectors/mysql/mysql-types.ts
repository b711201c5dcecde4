import { quoteIdent } from '../../core/sql/quote.ts';

/*
 * How values cross between MySQL / MariaDB and the data plane (DuckDB).
 *
 * Reading (MySQL -> DuckDB): the type comes from the result's field metadata,
 * never from the values. Values travel as the bytes the server sends (its
 * text form of every type), copied into CSV for the data plane's reader, so
 * no value passes through a JS number, date or string on the way.
 * | MySQL / MariaDB                          | DuckDB          | note                                         |
 * |------------------------------------------|-----------------|----------------------------------------------|
 * | TINYINT(1), BOOLEAN                      | BOOLEAN         | any non-zero value is true                   |
 * | TINYINT / SMALLINT / MEDIUMINT / INT / BIGINT, YEAR | BIGINT | read as text, exact beyond 2^53          |
 * | BIGINT UNSIGNED                          | UBIGINT         |                                              |
 * | DECIMAL(p,s), p <= 38                    | DECIMAL(p,s)    | read as text, exact                          |
 * | DECIMAL(p,s), p > 38                     | VARCHAR         | exact as text                                |
 * | FLOAT / DOUBLE                           | FLOAT / DOUBLE  |                                              |
 * | DATE                                     | DATE            | the zero date 0000-00-00 becomes NULL        |
 * | DATETIME(n) / TIMESTAMP(n)               | TIMESTAMP       | microseconds kept; TIMESTAMP read in UTC; zero dates become NULL |
 * | TIME                                     | VARCHAR         | MySQL times span -838:59:59..838:59:59       |
 * | JSON (MySQL type, MariaDB json format)   | JSON            |                                              |
 * | CHAR / VARCHAR / TEXT / ENUM / SET       | VARCHAR         |                                              |
 * | BINARY / VARBINARY / BLOB, GEOMETRY (WKB) | BLOB           | bytes kept exactly                           |
 * | BIT(1)                                   | BOOLEAN         |                                              |
 * | BIT(n)                                   | UBIGINT         |                                              |
 *
 * Writing (DuckDB -> MySQL, for tables Sluice creates)
 * | DuckDB                                   | MySQL           | note                                         |
 * |------------------------------------------|-----------------|----------------------------------------------|
 * | BOOLEAN                                  | TINYINT(1)      |                                              |
 * | TINYINT / SMALLINT / INTEGER / BIGINT    | same name (INTEGER -> INT) |                                   |
 * | UTINYINT / USMALLINT / UINTEGER / UBIGINT | ... UNSIGNED   |                                              |
 * | HUGEINT / UHUGEINT                       | DECIMAL(39,0)   |                                              |
 * | DECIMAL(p,s)                             | DECIMAL(p,s)    | a scale over 30 (MySQL's limit) becomes LONGTEXT |
 * | FLOAT / DOUBLE                           | FLOAT / DOUBLE  |                                              |
 * | DATE                                     | DATE            |                                              |
 * | TIMESTAMP (any precision)                | DATETIME(6)     | nanoseconds round to microseconds            |
 * | TIMESTAMP WITH TIME ZONE                 | DATETIME(6)     | written as UTC wall time                     |
 * | TIME                                     | TIME(6)         |                                              |
 * | VARCHAR, ENUM, UUID, INTERVAL, other     | LONGTEXT        | a key column: VARCHAR(255), as keys need a bounded length |
 * | JSON, lists, STRUCT, MAP                 | JSON            | nested values sent as JSON text              |
 * | BLOB                                     | LONGBLOB        | sent as hex, decoded by UNHEX(?)             |
 */

// ---- Reading -----------------------------------------------------------------------------------

/** The parts of mysql2's field metadata the mapping needs. */
export interface MysqlField {
  readonly name: string;
  readonly columnType?: number | undefined;
  readonly columnLength?: number | undefined;
  readonly decimals: number;
  readonly flags: number | string[];
  readonly characterSet?: number | undefined;
  readonly extendedFormat?: string | undefined;
}

/**
 * How a value's bytes, as the server sends them in the text protocol, become
 * a field of the CSV the data plane loads:
 * - `plain`: ASCII that never needs quoting (numbers, decimals, times), copied as is;
 * - `text`: UTF-8 text, quoted when it holds a delimiter, a quote or a line break;
 * - `datetime`: like `plain`, but MySQL's zero dates ('0000-00-00...') become NULL, as they name no day;
 * - `boolean`: an integer's text, true when non-zero;
 * - `bitBoolean` / `bits`: a BIT value's raw bytes, as a boolean or an unsigned integer;
 * - `blob`: raw bytes, written as `\xHH` escapes DuckDB casts back to the same bytes.
 */
export type FieldKind = 'plain' | 'text' | 'datetime' | 'boolean' | 'bitBoolean' | 'bits' | 'blob';

/** A result column: its DuckDB type and how its values travel to the data plane. */
export interface ReadColumn {
  readonly name: string;
  readonly type: string;
  readonly kind: FieldKind;
}

/** MySQL protocol column types (include/field_types.h). */
const T = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, NULL: 6, TIMESTAMP: 7, LONGLONG: 8, INT24: 9,
  DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13, NEWDATE: 14, VARCHAR: 15, BIT: 16, TIMESTAMP2: 17, DATETIME2: 18,
  TIME2: 19, JSON: 245, NEWDECIMAL: 246, ENUM: 247, SET: 248, TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251,
  BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;

const UNSIGNED_FLAG = 32;
const BINARY_CHARSET = 63;

function flagsOf(field: MysqlField): number {
  return typeof field.flags === 'number' ? field.flags : field.flags.includes('UNSIGNED') ? UNSIGNED_FLAG : 0;
}

/** The DuckDB type of a result column and the conversion of its values. */
export function readColumnFor(field: MysqlField): ReadColumn {
  const { name } = field;
  const unsigned = (flagsOf(field) & UNSIGNED_FLAG) !== 0;
  const length = field.columnLength ?? 0;
  const binary = field.characterSet === BINARY_CHARSET;
  const column = (type: string, kind: FieldKind = 'plain'): ReadColumn => ({ name, type, kind });
  switch (field.columnType) {
    case T.TINY:
      return length === 1 ? column('BOOLEAN', 'boolean') : column('BIGINT');
    case T.SHORT:
    case T.INT24:
    case T.LONG:
    case T.YEAR:
      return column('BIGINT');
    case T.LONGLONG:
      return column(unsigned ? 'UBIGINT' : 'BIGINT');
    case T.DECIMAL:
    case T.NEWDECIMAL: {
      const scale = field.decimals;
      // The display length counts the digits, a decimal point when there is a scale, and a sign unless unsigned.
      const precision = length - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
      return precision >= 1 && precision <= 38 && scale <= precision ? column(`DECIMAL(${precision},${scale})`) : column('VARCHAR');
    }
    case T.FLOAT:
      return column('FLOAT');
    case T.DOUBLE:
      return column('DOUBLE');
    case T.DATE:
    case T.NEWDATE:
      return column('DATE', 'datetime');
    case T.DATETIME:
    case T.DATETIME2:
    case T.TIMESTAMP:
    case T.TIMESTAMP2:
      return column('TIMESTAMP', 'datetime');
    case T.BIT:
      return length === 1 ? column('BOOLEAN', 'bitBoolean') : column('UBIGINT', 'bits');
    case T.JSON:
      return column('JSON', 'text');
    case T.GEOMETRY:
      return column('BLOB', 'blob');
    case T.VARCHAR:
    case T.VAR_STRING:
    case T.STRING:
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
      if (field.extendedFormat === 'json') return column('JSON', 'text');
      return binary ? column('BLOB', 'blob') : column('VARCHAR', 'text');
    default:
      // NULL-typed columns (SELECT NULL), ENUM, SET, TIME and anything newer: their text form.
      return column('VARCHAR', 'text');
  }
}

// ---- Writing -----------------------------------------------------------------------------------

type DuckShape = { readonly nested: true } | { readonly nested: false; readonly base: string; readonly args: string | undefined };

function shapeOf(duckType: string): DuckShape {
  const type = duckType.trim();
  if (/\[\d*\]$/.test(type)) return { nested: true };
  const call = /^([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\((.*)\))?$/s.exec(type);
  if (!call) return { nested: false, base: type.toUpperCase(), args: undefined };
  const base = call[1]!.toUpperCase();
  if (base === 'STRUCT' || base === 'MAP' || base === 'UNION') return { nested: true };
  return { nested: false, base, args: call[2] };
}

const writeTypes: Readonly<Record<string, string>> = {
  BOOLEAN: 'TINYINT(1)',
  BOOL: 'TINYINT(1)',
  TINYINT: 'TINYINT',
  SMALLINT: 'SMALLINT',
  INTEGER: 'INT',
  INT: 'INT',
  BIGINT: 'BIGINT',
  UTINYINT: 'TINYINT UNSIGNED',
  USMALLINT: 'SMALLINT UNSIGNED',
  UINTEGER: 'INT UNSIGNED',
  UBIGINT: 'BIGINT UNSIGNED',
  HUGEINT: 'DECIMAL(39,0)',
  UHUGEINT: 'DECIMAL(39,0)',
  FLOAT: 'FLOAT',
  REAL: 'FLOAT',
  DOUBLE: 'DOUBLE',
  DATE: 'DATE',
  TIME: 'TIME(6)',
  TIMESTAMP: 'DATETIME(6)',
  TIMESTAMP_S: 'DATETIME(6)',
  TIMESTAMP_MS: 'DATETIME(6)',
  TIMESTAMP_NS: 'DATETIME(6)',
  'TIMESTAMP WITH TIME ZONE': 'DATETIME(6)',
  TIMESTAMPTZ: 'DATETIME(6)',
  JSON: 'JSON',
  BLOB: 'LONGBLOB',
};

/** The MySQL column type for a DuckDB column, when Sluice creates the table; key columns need a bounded length. */
export function mysqlTypeForDuck(duckType: string, isKey = false): string {
  const shape = shapeOf(duckType);
  if (shape.nested) return 'JSON';
  if (shape.base === 'DECIMAL' || shape.base === 'NUMERIC') {
    const [p, s] = (shape.args ?? '18,3').split(',').map((n) => Number(n.trim()));
    if ((s ?? 0) > 30) return isKey ? 'VARCHAR(255)' : 'LONGTEXT';
    return `DECIMAL(${p ?? 18},${s ?? 0})`;
  }
  return writeTypes[shape.base] ?? (isKey ? 'VARCHAR(255)' : 'LONGTEXT');
}

/** How an input column travels to MySQL: a data-plane expression and the placeholder that takes it. */
export interface WriteColumn {
  readonly select: string;
  readonly placeholder: string;
}

/** A column's value as the data plane renders it for MySQL: a number, text, or bytes as hex. */
interface ValueExpression {
  readonly expression: string;
  /** `fixed`: text of a fixed form (times), which never reads as the word NULL. */
  readonly kind: 'number' | 'text' | 'fixed' | 'hex';
}

/**
 * Renders an input column as a value MySQL parses exactly: numbers that fit
 * a double stay numbers, everything exact travels as text, bytes as hex.
 */
function valueExpression(column: string, duckType: string): ValueExpression {
  const shape = shapeOf(duckType);
  const text = (expression: string): ValueExpression => ({ expression, kind: 'text' });
  const number = (expression: string): ValueExpression => ({ expression, kind: 'number' });
  if (shape.nested) return text(`CAST(to_json(${column}) AS VARCHAR)`);
  switch (shape.base) {
    case 'BOOLEAN':
    case 'BOOL':
      return number(`CAST(${column} AS INTEGER)`);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'INT':
    case 'UTINYINT':
    case 'USMALLINT':
    case 'UINTEGER':
    case 'FLOAT':
    case 'REAL':
    case 'DOUBLE':
      return number(column);
    case 'BIGINT':
    case 'UBIGINT':
    case 'HUGEINT':
    case 'UHUGEINT':
    case 'DECIMAL':
    case 'NUMERIC':
      return number(`CAST(${column} AS VARCHAR)`);
    case 'BLOB':
      return { expression: `hex(${column})`, kind: 'hex' };
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return { expression: `strftime(timezone('UTC', ${column}), '%Y-%m-%d %H:%M:%S.%f')`, kind: 'fixed' };
    case 'TIMESTAMP':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
      return { expression: `strftime(CAST(${column} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f')`, kind: 'fixed' };
    case 'DATE':
      return { expression: `CAST(${column} AS VARCHAR)`, kind: 'fixed' };
    default:
      // VARCHAR, JSON, DATE, TIME, UUID, INTERVAL...: their exact text form.
      return text(`CAST(${column} AS VARCHAR)`);
  }
}

/** For parameterised INSERTs: the driver binds each value as text or a number. */
export function writeColumnFor(name: string, duckType: string): WriteColumn {
  const column = quoteIdent(name);
  const value = valueExpression(column, duckType);
  return { select: `${value.expression} AS ${column}`, placeholder: value.kind === 'hex' ? 'UNHEX(?)' : '?' };
}

/** How a column's field is read by LOAD DATA: as is, or into a variable the SET clause converts. */
export interface LoadColumn {
  /** Data-plane SQL giving the field's text, `\\N` for NULL. */
  readonly field: string;
  /** `hex`: bytes as hex, decoded by UNHEX. `marked`: text after a one-character mark, removed by SUBSTRING. */
  readonly via: 'as_is' | 'hex' | 'marked';
}

/**
 * For LOAD DATA (fields split by commas, enclosed in double quotes, escaped
 * by a backslash). Backslashes in text are doubled. LOAD DATA takes a bare
 * field NULL as NULL even when the text was escaped, so free text travels
 * behind a one-character mark that the SET clause strips.
 */
export function loadColumnFor(name: string, duckType: string): LoadColumn {
  const value = valueExpression(quoteIdent(name), duckType);
  const v = value.expression;
  switch (value.kind) {
    case 'text':
      return { field: `COALESCE('=' || replace(${v}, '\\', '\\\\'), '\\N')`, via: 'marked' };
    case 'hex':
      return { field: `COALESCE(${v}, '\\N')`, via: 'hex' };
    default:
      return { field: `COALESCE(CAST(${v} AS VARCHAR), '\\N')`, via: 'as_is' };
  }
}
