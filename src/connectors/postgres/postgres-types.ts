import { quoteIdent } from '../../core/sql/quote.ts';

/*
 * How values cross between the data plane (DuckDB) and PostgreSQL. Both ways
 * go through CSV, so each type needs a text form the other side parses back
 * to the same value; where the default text differs, an expression converts it.
 *
 * Reading (PostgreSQL -> DuckDB)
 * | PostgreSQL                         | DuckDB            | note                                        |
 * |------------------------------------|-------------------|---------------------------------------------|
 * | boolean                            | BOOLEAN           |                                             |
 * | smallint / integer / bigint        | SMALLINT / INTEGER / BIGINT |                                   |
 * | oid                                | BIGINT            |                                             |
 * | real / double precision            | FLOAT / DOUBLE    | NaN and infinities kept                     |
 * | numeric(p,s), p <= 38, 0 <= s <= p | DECIMAL(p,s)      | exact                                       |
 * | numeric(p,s) otherwise             | VARCHAR           | exact as text                               |
 * | numeric (no precision)             | DOUBLE            | as DuckDB's own PostgreSQL reader does; cast in the query for exactness |
 * | text / varchar / char / name       | VARCHAR           | char(n) keeps its padding                   |
 * | date / time / timetz               | DATE / TIME / TIMETZ | dates BC kept (timestamps BC are refused by DuckDB's parser) |
 * | timestamp / timestamptz            | TIMESTAMP / TIMESTAMPTZ | read in UTC, the instant is kept       |
 * | json / jsonb                       | JSON              |                                             |
 * | uuid                               | UUID              |                                             |
 * | bytea                              | BLOB              | sent as \xHH escapes                        |
 * | interval                           | VARCHAR           | '1 year 2 mons -3 days +04:05:06.5': stored outputs are Parquet, which cannot hold negative intervals |
 * | arrays, enums, ranges, inet, money, xml, composite, anything else | VARCHAR | PostgreSQL's text form |
 * | a domain                           | as its base type  |                                             |
 *
 * Writing (DuckDB -> PostgreSQL, for tables Sluice creates)
 * | DuckDB                                   | PostgreSQL        | note                                 |
 * |------------------------------------------|-------------------|--------------------------------------|
 * | BOOLEAN                                  | boolean           |                                      |
 * | TINYINT / SMALLINT / UTINYINT            | smallint          |                                      |
 * | INTEGER / USMALLINT                      | integer           |                                      |
 * | BIGINT / UINTEGER                        | bigint            |                                      |
 * | UBIGINT / HUGEINT / UHUGEINT             | numeric(20,0) / numeric(39,0) |                          |
 * | VARINT, BIGNUM                           | numeric           |                                      |
 * | DECIMAL(p,s)                             | numeric(p,s)      |                                      |
 * | FLOAT / DOUBLE                           | real / double precision |                                |
 * | VARCHAR, ENUM, UNION, BIT                | text              | (BIT: varbit)                        |
 * | BLOB                                     | bytea             | sent as \x hex                       |
 * | DATE / TIME / TIME WITH TIME ZONE        | date / time / timetz |                                   |
 * | TIMESTAMP (any precision)                | timestamp         | nanoseconds round to microseconds    |
 * | TIMESTAMP WITH TIME ZONE                 | timestamptz       |                                      |
 * | INTERVAL / UUID / JSON                   | interval / uuid / jsonb |                                |
 * | lists, arrays, STRUCT, MAP               | jsonb             | sent as JSON; into an existing PostgreSQL array column, a list of scalars is sent as an array literal |
 */

// ---- Reading -----------------------------------------------------------------------------------

/** A result column's type as PostgreSQL describes it, domains already resolved to their base. */
export interface PostgresFieldType {
  readonly oid: number;
  readonly typmod: number;
}

const readTypes: Readonly<Record<number, string>> = {
  16: 'BOOLEAN',
  17: 'BLOB',
  18: 'VARCHAR', // "char"
  19: 'VARCHAR', // name
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  25: 'VARCHAR',
  26: 'BIGINT', // oid
  114: 'JSON',
  700: 'FLOAT',
  701: 'DOUBLE',
  1042: 'VARCHAR', // char(n)
  1043: 'VARCHAR',
  1082: 'DATE',
  1083: 'TIME',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMPTZ',
  1266: 'TIMETZ',
  2950: 'UUID',
  3802: 'JSON',
};

const numericOid = 1700;
const byteaOid = 17;
const dateOid = 1082;

/** The DuckDB type a PostgreSQL column is stored as. */
export function duckTypeForPostgres(type: PostgresFieldType): string {
  if (type.oid === numericOid) {
    if (type.typmod < 0) return 'DOUBLE';
    const precision = ((type.typmod - 4) >> 16) & 0xffff;
    // Since PostgreSQL 15 the scale is an 11-bit signed field and may be negative or exceed the precision.
    const scale = ((((type.typmod - 4) & 0x7ff) ^ 1024) - 1024);
    return precision <= 38 && scale >= 0 && scale <= precision ? `DECIMAL(${precision},${scale})` : 'VARCHAR';
  }
  return readTypes[type.oid] ?? 'VARCHAR';
}

/**
 * The PostgreSQL expression that renders a column as text DuckDB parses back
 * into `duckTypeForPostgres(type)`. `column` is already quoted.
 */
export function postgresReadExpression(column: string, type: PostgresFieldType): string {
  switch (type.oid) {
    case byteaOid:
      // DuckDB reads a BLOB from text with \xHH escapes; PostgreSQL's own hex form is one \x for the whole value.
      return `regexp_replace(encode(${column}, 'hex'), '(..)', '\\\\x\\1', 'g')`;
    case dateOid:
      // DuckDB reads '0044-03-15 BC' as a date AD; it reads the era in its own form, '(BC)'.
      return `replace(${column}::text, ' BC', ' (BC)')`;
    default:
      return column;
  }
}

// ---- Writing -----------------------------------------------------------------------------------

type DuckTypeShape =
  | { readonly kind: 'scalar'; readonly base: string; readonly args: string | undefined }
  | { readonly kind: 'list'; readonly element: string }
  | { readonly kind: 'nested' };

/** Splits a DuckDB type name into what the mapping needs. */
function shapeOf(duckType: string): DuckTypeShape {
  const type = duckType.trim();
  const list = /^(.*)\[\d*\]$/s.exec(type);
  if (list) return { kind: 'list', element: list[1]! };
  const call = /^([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\((.*)\))?$/s.exec(type);
  if (!call) return { kind: 'scalar', base: type.toUpperCase(), args: undefined };
  const base = call[1]!.toUpperCase();
  if (base === 'STRUCT' || base === 'MAP') return { kind: 'nested' };
  return { kind: 'scalar', base, args: call[2] };
}

const writeTypes: Readonly<Record<string, string>> = {
  BOOLEAN: 'boolean',
  BOOL: 'boolean',
  TINYINT: 'smallint',
  SMALLINT: 'smallint',
  UTINYINT: 'smallint',
  INTEGER: 'integer',
  INT: 'integer',
  USMALLINT: 'integer',
  BIGINT: 'bigint',
  UINTEGER: 'bigint',
  UBIGINT: 'numeric(20,0)',
  HUGEINT: 'numeric(39,0)',
  UHUGEINT: 'numeric(39,0)',
  VARINT: 'numeric',
  BIGNUM: 'numeric',
  FLOAT: 'real',
  REAL: 'real',
  DOUBLE: 'double precision',
  VARCHAR: 'text',
  ENUM: 'text',
  UNION: 'text',
  BLOB: 'bytea',
  BIT: 'varbit',
  DATE: 'date',
  TIME: 'time',
  TIME_NS: 'time',
  'TIME WITH TIME ZONE': 'timetz',
  TIMETZ: 'timetz',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_S: 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  TIMESTAMP_NS: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  TIMESTAMPTZ: 'timestamptz',
  INTERVAL: 'interval',
  UUID: 'uuid',
  JSON: 'jsonb',
};

/** The PostgreSQL column type for a DuckDB column, when Sluice creates the table. */
export function postgresTypeForDuck(duckType: string): string {
  const shape = shapeOf(duckType);
  if (shape.kind !== 'scalar') return 'jsonb';
  if (shape.base === 'DECIMAL' || shape.base === 'NUMERIC') {
    const [p, s] = (shape.args ?? '18,3').split(',').map((n) => Number(n.trim()));
    return `numeric(${p ?? 18},${s ?? 0})`;
  }
  return writeTypes[shape.base] ?? 'text';
}

/**
 * The DuckDB expression that renders an input column as CSV text PostgreSQL
 * parses into `targetType` (the existing column's type, when there is one).
 */
export function duckCsvExpression(name: string, duckType: string, targetType?: string): string {
  const column = quoteIdent(name);
  const shape = shapeOf(duckType);
  if (shape.kind === 'list' && targetType?.endsWith('[]') && shapeOf(shape.element).kind === 'scalar') {
    return postgresArrayLiteral(column);
  }
  if (shape.kind !== 'scalar') return `CAST(to_json(${column}) AS VARCHAR)`;
  switch (shape.base) {
    case 'BLOB':
      return `'\\x' || hex(${column})`;
    case 'UNION':
    case 'BIT':
      return `CAST(${column} AS VARCHAR)`;
    default:
      return column;
  }
}

/** `{"a","b",NULL}`: every element quoted, so no element text needs inspecting. */
function postgresArrayLiteral(column: string): string {
  const element = `CASE WHEN x IS NULL THEN 'NULL' ELSE '"' || replace(replace(CAST(x AS VARCHAR), '\\', '\\\\'), '"', '\\"') || '"' END`;
  return `CASE WHEN ${column} IS NULL THEN NULL ELSE '{' || array_to_string(list_transform(${column}, lambda x: ${element}), ',') || '}' END`;
}
