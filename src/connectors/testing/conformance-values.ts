/**
 * The values every connector must carry unchanged from the data plane to its
 * database and back, and how to compare what comes back when the database
 * hands it over as another type (SQLite keeps timestamps as text, MySQL
 * keeps instants as UTC wall time).
 */

/** Quote-laden and unicode names the suite creates and reads. */
export const weirdTable = `we"ird 'name`;
export const weirdColumn = `we"ird 'col`;

const longText = "repeat('ab€\"''', 40000)";

/**
 * Four rows: extremes, values around the 2024 DST changes (Europe on 31
 * March 01:00 UTC, the United States on 10 March at 02:00 local), a row of
 * NULLs and a row of plain values. Text holds what bulk formats trip on: NULL as
 * a word, backslashes, \\N, quotes, commas, newlines and carriage returns.
 */
export const roundTripInput = `
SELECT * FROM (VALUES
  (1, 9007199254740993::BIGINT, '1234567890123456789012345678.0123456789'::DECIMAL(38,10),
      TIMESTAMP '2024-03-10 02:30:00.123456', TIMESTAMPTZ '2024-03-31 00:59:59.999999+00', true,
      '{"a": 1, "b": [true, null, "x\\"y"], "c": {"d": "ü"}}'::JSON, ${longText}, '日本語 — ünïcödé 🎉', 'it''s "quoted"', DATE '2024-02-29', 0.1::DOUBLE, '\\x00\\xFF"\\x5C,'::BLOB),
  (2, '-9223372036854775808'::BIGINT, '-0.0000000001'::DECIMAL(38,10),
      TIMESTAMP '2024-10-27 02:59:59', TIMESTAMPTZ '2024-03-31 01:00:00+00', false,
      '[]'::JSON, '', 'NULL', 'line 1' || chr(10) || 'a\\N b\\\\c, "q"' || chr(13) || 'null', DATE '1970-01-01', -1.5e300::DOUBLE, ''::BLOB),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 9223372036854775807::BIGINT, '9999999999999999999999999999.9999999999'::DECIMAL(38,10),
      TIMESTAMP '2024-11-03 01:30:00', TIMESTAMPTZ '2024-11-03 06:30:00+00', true,
      '{"nested": {"deep": [1, 2.5, "3"]}}'::JSON, 'plain', 'naïve', 'x', DATE '2024-12-31', 1e-300::DOUBLE, 'abc'::BLOB)
) t(id, big, exact, ts, tstz, flag, doc, long_text, "naïve", "${weirdColumn.replaceAll('"', '""')}", day, dbl, bytes)`;

export interface RoundTripCheck {
  readonly column: string;
  /** The type the value was sent as. */
  readonly type: string;
  /** A data-plane expression that normalises the column, given the type it came back as. */
  readonly compare: (column: string, type: string) => string;
}

const isText = (type: string): boolean => type === 'VARCHAR';

const exactAs = (target: string) => (column: string, type: string): string =>
  // A DOUBLE read back would cast to the same text only by luck: compare the exact text form.
  type.startsWith('DECIMAL') || type === 'BIGINT' || isText(type) ? `CAST(CAST(${column} AS ${target}) AS VARCHAR)` : `'came back as ${type}'`;

const instant = (column: string, type: string): string =>
  isText(type) ? `epoch_us(CAST(${column} AS TIMESTAMPTZ))` : `epoch_us(${column})`;

const wallTime = (column: string, type: string): string =>
  isText(type) ? `epoch_us(CAST(${column} AS TIMESTAMP))` : type.includes('TIME ZONE') ? `'came back as ${type}'` : `epoch_us(${column})`;

const jsonParts = (column: string): string => {
  const doc = `CAST(${column} AS JSON)`;
  return `[json_type(${doc}), ${doc}->>'$.a', CAST(${doc}->'$.b' AS VARCHAR), ${doc}->>'$.c.d', CAST(${doc}->'$.nested' AS VARCHAR), CAST(json_array_length(${doc}) AS VARCHAR)]`;
};

export const roundTripChecks: readonly RoundTripCheck[] = [
  { column: 'big', type: 'BIGINT', compare: exactAs('BIGINT') },
  { column: 'exact', type: 'DECIMAL(38,10)', compare: exactAs('DECIMAL(38,10)') },
  { column: 'ts', type: 'TIMESTAMP', compare: wallTime },
  { column: 'tstz', type: 'TIMESTAMP WITH TIME ZONE', compare: instant },
  { column: 'flag', type: 'BOOLEAN', compare: (c) => `CAST(${c} AS BOOLEAN)` },
  { column: 'doc', type: 'JSON', compare: (c) => jsonParts(c) },
  { column: 'long_text', type: 'VARCHAR', compare: (c) => `CAST(${c} AS VARCHAR)` },
  { column: 'naïve', type: 'VARCHAR', compare: (c) => `CAST(${c} AS VARCHAR)` },
  { column: weirdColumn, type: 'VARCHAR', compare: (c) => `CAST(${c} AS VARCHAR)` },
  { column: 'day', type: 'DATE', compare: (c) => `CAST(${c} AS DATE)` },
  { column: 'dbl', type: 'DOUBLE', compare: (c) => `CAST(${c} AS DOUBLE)` },
  { column: 'bytes', type: 'BLOB', compare: (c) => `hex(CAST(${c} AS BLOB))` },
];
