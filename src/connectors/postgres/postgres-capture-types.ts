const exact: Readonly<Record<string, string>> = {
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  real: 'FLOAT',
  'double precision': 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  uuid: 'UUID',
  json: 'JSON',
  jsonb: 'JSON',
};

/**
 * The data-plane type a captured PostgreSQL column (`format_type` spelling) travels as, and that its
 * destination table is made from. Anything without an exact counterpart
 * (unconstrained numeric, intervals, arrays, ...) keeps the source's text.
 */
export function dataPlaneType(postgresType: string): string {
  const t = postgresType;
  if (exact[t]) return exact[t];
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(t);
  if (numeric) return Number(numeric[1]) <= 38 ? `DECIMAL(${numeric[1]},${numeric[2]})` : 'VARCHAR';
  if (/^timestamp(\(\d\))? with time zone$/.test(t)) return 'TIMESTAMPTZ';
  if (/^timestamp(\(\d\))? without time zone$/.test(t)) return 'TIMESTAMP';
  if (/^time(\(\d\))? without time zone$/.test(t)) return 'TIME';
  return 'VARCHAR';
}

/** `format_type` spellings of the built-in types, by OID, for columns only a replication message describes. */
const builtinTypes: Readonly<Record<number, string>> = {
  16: 'boolean',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'text',
  114: 'json',
  700: 'real',
  701: 'double precision',
  1043: 'character varying',
  1082: 'date',
  1083: 'time without time zone',
  1114: 'timestamp without time zone',
  1184: 'timestamp with time zone',
  2950: 'uuid',
  3802: 'jsonb',
};

/**
 * The `format_type` spelling of a column a pgoutput relation message names by
 * type OID and modifier (a column added while streaming): built-in types by
 * name, `numeric(p,s)` from its modifier, anything else as `text`, which
 * travels as VARCHAR like every type without an exact counterpart.
 */
export function postgresTypeName(typeOid: number, typeMod: number): string {
  if (typeOid === 1700) return typeMod >= 4 ? `numeric(${((typeMod - 4) >> 16) & 0xffff},${(typeMod - 4) & 0xffff})` : 'numeric';
  return builtinTypes[typeOid] ?? 'text';
}
