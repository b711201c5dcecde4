import { quoteIdent, quoteLiteral } from '../sql/quote.ts';

/** How a CSV writes numbers and dates; nothing here is guessed. */
export interface CsvValueStyle {
  /** Formats tried, in order, for columns declared DATE; ISO 8601 always parses. */
  readonly dateFormats: readonly string[];
  readonly decimal?: string | undefined;
  readonly thousands?: string | undefined;
  /** NaN and infinities load only when the user opts in; an overflowing number never does. */
  readonly allowNanInfinity: boolean;
}

/**
 * How one column is read. `engine` columns are typed by the engine's reader
 * (its own bad-value rejects apply); the others are read as text and
 * converted here, so a value is never guessed, rounded or overflowed.
 */
export type CsvColumnPlan =
  | { readonly kind: 'engine'; readonly name: string; readonly type: string }
  | { readonly kind: 'date'; readonly name: string }
  /** `guarded`: the engine guessed DOUBLE from a sample; a value longer than 15 characters stops the read, to be sized on every value. */
  | { readonly kind: 'float'; readonly name: string; readonly type: string; readonly guarded?: boolean }
  | { readonly kind: 'exact'; readonly name: string; readonly type: string };

/** What a scan of a number column found, to pick a type that holds every value exactly. */
export interface NumberStats {
  readonly values: number;
  readonly numbers: number;
  readonly integers: number;
  readonly plain: number;
  readonly intDigits: number;
  readonly fracDigits: number;
  readonly significant: number;
}

const isoDate = '%Y-%m-%d';
const floatTypes = new Set(['DOUBLE', 'FLOAT', 'FLOAT4', 'FLOAT8', 'REAL']);
const integerTypes = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'INT1', 'INT2', 'INT4', 'INT8']);
const special = `lower(__t) IN ('nan', '+nan', '-nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity')`;

/** Plans a column the user declared: DATE and floats are always checked here, other numbers when the style is not the engine's. */
export function planDeclared(name: string, type: string, style: CsvValueStyle): CsvColumnPlan {
  const base = type.trim().toUpperCase();
  if (base === 'DATE') return { kind: 'date', name };
  if (floatTypes.has(base)) return { kind: 'float', name, type: base };
  if ((style.decimal || style.thousands) && isNumericType(base)) return { kind: 'exact', name, type };
  return { kind: 'engine', name, type };
}

/** The error a guarded float column raises when a value may hold more digits than a DOUBLE keeps. */
export const wideNumber = 'sluice: a number may be wider than DOUBLE';

/**
 * Does the engine's guess for an undeclared column need a full look before
 * it is trusted? `guard` when a DOUBLE can be trusted until a long value shows
 * up (no value of 15 characters has more than 15 digits), so the common file
 * is read once.
 */
export function needsStats(sniffed: string, style: CsvValueStyle): 'no' | 'guard' | 'yes' {
  if (floatTypes.has(sniffed) && !hasStyle(style)) return 'guard';
  return floatTypes.has(sniffed) || sniffed.startsWith('DECIMAL') || (sniffed === 'VARCHAR' && hasStyle(style)) ? 'yes' : 'no';
}

/**
 * The narrowest type that holds every value of an undeclared number column
 * exactly: BIGINT, HUGEINT (to 38 digits), DOUBLE when no value has more
 * significant digits than it keeps (15), DECIMAL(p,s) to 38 digits, else text.
 */
export function planFromStats(name: string, sniffed: string, stats: NumberStats): CsvColumnPlan {
  if (stats.values === 0 || stats.numbers < stats.values) return sniffed === 'VARCHAR' ? { kind: 'engine', name, type: 'VARCHAR' } : { kind: 'exact', name, type: 'VARCHAR' };
  if (stats.integers === stats.values) {
    if (stats.intDigits <= 18) return { kind: 'exact', name, type: 'BIGINT' };
    return stats.intDigits <= 38 ? { kind: 'exact', name, type: 'HUGEINT' } : { kind: 'exact', name, type: 'VARCHAR' };
  }
  if (stats.significant <= 15) return { kind: 'float', name, type: 'DOUBLE' };
  if (stats.plain === stats.values && stats.intDigits + stats.fracDigits <= 38) {
    const scale = stats.fracDigits;
    return { kind: 'exact', name, type: `DECIMAL(${Math.max(1, stats.intDigits + scale)},${scale})` };
  }
  return { kind: 'exact', name, type: 'VARCHAR' };
}

function isNumericType(type: string): boolean {
  return integerTypes.has(type) || /^(DECIMAL|NUMERIC)\b/.test(type) || floatTypes.has(type);
}

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Does the style differ from the engine's own way of writing numbers? */
function hasStyle(style: CsvValueStyle): boolean {
  return Boolean(style.decimal && style.decimal !== '.') || Boolean(style.thousands);
}

/**
 * SQL turning the raw text `__t` (trimmed, empty as NULL) into a number
 * written the engine's way, or NULL when it is not a number in this style:
 * `1.000,25` with decimal ',' and thousands '.' becomes `1000.25`. In the
 * engine's own style the text is used as it is (a cast then decides).
 */
export function numberText(style: CsvValueStyle): string {
  if (!hasStyle(style)) return '__t';
  const decimal = style.decimal ?? '.';
  const thousands = style.thousands;
  const d = regexEscape(decimal);
  const whole = thousands ? `(\\d{1,3}(${regexEscape(thousands)}\\d{3})+|\\d+)` : '\\d+';
  const pattern = `[+-]?(${whole}(${d}\\d*)?|${d}\\d+)([eE][+-]?\\d+)?`;
  let text = '__t';
  if (thousands) text = `replace(${text}, ${quoteLiteral(thousands)}, '')`;
  if (decimal !== '.') text = `replace(${text}, ${quoteLiteral(decimal)}, '.')`;
  return `CASE WHEN regexp_full_match(__t, ${quoteLiteral(pattern)}) THEN ${text} END`;
}

/** Puts a column's trimmed text (empty as NULL) where an expression says `__t`: a plain expression, no subquery per row. */
function overText(column: string, expression: string): string {
  return `(${expression.replaceAll('__t', `NULLIF(trim(${quoteIdent(column)}), '')`)})`;
}

/** The candidate dates a value reads as, one per format (ISO first), as text. */
function dateCandidates(formats: readonly string[]): string {
  return `[${[isoDate, ...formats].map((f) => `try_strptime(__t, ${quoteLiteral(f)})::DATE`).join(', ')}]`;
}

/** SQL for the converted value: NULL for a NULL input and for a bad value (see `badSql`). */
export function convertSql(plan: CsvColumnPlan, style: CsvValueStyle): string {
  const column = quoteIdent(plan.name);
  switch (plan.kind) {
    case 'engine':
      return column;
    case 'date': {
      const distinct = `list_distinct(list_filter(${dateCandidates(style.dateFormats)}, x -> x IS NOT NULL))`;
      return overText(plan.name, `CASE WHEN len(${distinct}) = 1 THEN ${distinct}[1] END`);
    }
    case 'float': {
      // The engine's cast reads nan and inf itself; a separator style would turn them to NULL first.
      const text = hasStyle(style) ? `CASE WHEN ${special} THEN __t ELSE ${numberText(style)} END` : '__t';
      const value = `TRY_CAST(${text} AS ${plan.type})`;
      const allowed = style.allowNanInfinity ? `isfinite(__v) OR ${special}` : 'isfinite(__v)';
      const checked = `CASE WHEN ${allowed} THEN __v END`.replaceAll('__v', value);
      return overText(plan.name, plan.guarded ? `CASE WHEN length(__t) > 15 THEN error(${quoteLiteral(wideNumber)}) ELSE ${checked} END` : checked);
    }
    case 'exact': {
      const text = numberText(style);
      if (plan.type === 'VARCHAR') return column;
      return overText(plan.name, `CASE WHEN ${fitsSql(plan.type, text)} THEN TRY_CAST(${text} AS ${plan.type}) END`);
    }
  }
}

/** The engine rounds '1.5' into an integer and '1.005' into DECIMAL(12,2): only values that fit exactly pass. */
function fitsSql(type: string, text: string): string {
  const base = type.trim().toUpperCase();
  if (integerTypes.has(base)) return `regexp_full_match(${text}, '[+-]?\\d+')`;
  const scale = /^(?:DECIMAL|NUMERIC)\s*\(\s*\d+\s*,\s*(\d+)\s*\)$/.exec(base)?.[1] ?? (/^(DECIMAL|NUMERIC)$/.test(base) ? '3' : undefined);
  if (scale === undefined) return `${text} IS NOT NULL`;
  return `regexp_full_match(${text}, '[+-]?(\\d+\\.?\\d*|\\.\\d+)') AND length(rtrim(regexp_extract(${text}, '\\.(\\d*)', 1), '0')) <= ${Number(scale)}`;
}

/** True for a row whose value in this column is present but did not convert. */
export function badSql(plan: CsvColumnPlan, style: CsvValueStyle): string | undefined {
  if (plan.kind === 'engine' || (plan.kind === 'exact' && plan.type === 'VARCHAR')) return undefined;
  return `(NULLIF(trim(${quoteIdent(plan.name)}), '') IS NOT NULL AND ${convertSql(plan, style)} IS NULL)`;
}

/** For a bad date, what each format made of it (to say why it is ambiguous). */
export function dateCandidatesSql(plan: CsvColumnPlan, style: CsvValueStyle): string | undefined {
  if (plan.kind !== 'date') return undefined;
  return overText(plan.name, `${dateCandidates(style.dateFormats)}::VARCHAR[]`);
}

/** Per-row text of an undeclared number column, projected once: `alias_t` (trimmed text) and `alias_n` (the number in the engine's style). */
export function statsInputSql(column: string, alias: string, style: CsvValueStyle): string {
  return `${overText(column, '__t')} AS ${alias}_t, ${overText(column, numberText(style))} AS ${alias}_n`;
}

/** Aggregates over `statsInputSql`'s columns that size the column (see `planFromStats`), as `alias_field`. */
export function statsSql(alias: string): string {
  const t = `${alias}_t`;
  const n = `${alias}_n`;
  const isSpecial = special.replaceAll('__t', t);
  const number = `TRY_CAST(${n} AS DOUBLE) IS NOT NULL`;
  // Plain string functions, not patterns: this reads every value of the file.
  const exponent = `(contains(${n}, 'e') OR contains(${n}, 'E'))`;
  const plain = `${number} AND NOT ${isSpecial} AND NOT ${exponent} AND NOT contains(${n}, '_') AND NOT contains(lower(${n}), 'x')`;
  const unsigned = `ltrim(${n}, '+-')`;
  return [
    `count(${t}) AS ${alias}_values`,
    `count(CASE WHEN (${number} AND NOT contains(${n}, '_')) OR ${isSpecial} THEN 1 END) AS ${alias}_numbers`,
    `count(CASE WHEN ${plain} AND NOT contains(${n}, '.') THEN 1 END) AS ${alias}_integers`,
    `count(CASE WHEN ${plain} THEN 1 END) AS ${alias}_plain`,
    `coalesce(max(CASE WHEN ${plain} THEN length(ltrim(split_part(${unsigned}, '.', 1), '0')) END), 0) AS ${alias}_intDigits`,
    `coalesce(max(CASE WHEN ${plain} THEN length(split_part(${unsigned}, '.', 2)) END), 0) AS ${alias}_fracDigits`,
    `coalesce(max(length(trim(replace(split_part(lower(${unsigned}), 'e', 1), '.', ''), '0'))), 0) AS ${alias}_significant`,
  ].join(', ');
}

/** Why a value was refused, in words a person can act on. */
export function badValueReason(plan: CsvColumnPlan, raw: string, style: CsvValueStyle, candidates?: readonly (string | null)[]): string {
  const value = `'${raw.length > 60 ? `${raw.slice(0, 60)}…` : raw}'`;
  switch (plan.kind) {
    case 'date': {
      const formats = [isoDate, ...style.dateFormats];
      const read = (candidates ?? []).map((d, i) => ({ d, f: formats[i]! })).filter((c) => c.d !== null);
      if (new Set(read.map((c) => c.d)).size > 1) {
        return `${value} is ambiguous: ${read.map((c) => `${c.f} reads ${c.d}`).join(', ')}; keep one date_format, or write ISO 8601 (YYYY-MM-DD)`;
      }
      return `${value} is not a date (ISO 8601 YYYY-MM-DD${style.dateFormats.length ? ` or ${style.dateFormats.join(', ')}` : ''}; an impossible date such as Feb 30 is refused)`;
    }
    case 'float':
      if (/^[+-]?(nan|inf|infinity)$/i.test(raw.trim())) return `${value} is not a finite number (set allow_nan_infinity: true to load NaN and infinities)`;
      if (/^[+-]?[\d.,]*\d[eE][+-]?\d+$/.test(raw.trim())) return `${value} is out of range for ${plan.type}`;
      return `${value} is not a number${numberStyleNote(style)}`;
    case 'exact':
    case 'engine':
      return `${value} does not fit ${plan.type} exactly${numberStyleNote(style)}`;
  }
}

function numberStyleNote(style: CsvValueStyle): string {
  if (!style.decimal && !style.thousands) return '';
  return ` (decimal '${style.decimal ?? '.'}'${style.thousands ? `, thousands '${style.thousands}'` : ''})`;
}
