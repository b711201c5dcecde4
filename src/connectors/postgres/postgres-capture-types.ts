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
