import { quoteIdent } from '../../core/sql/quote.ts';
import type { ResolvedDedupeOptions } from './dedupe-settings.ts';
import type { Similarity } from './similarity.ts';

/**
 * The SQL of duplicate matching in the data plane. It computes what
 * `findDuplicates` computes in memory, with the data plane's own string
 * functions: the same normal form, the same blocking, the same similarities
 * and the same weighted score (a test holds the two to the same pairs).
 *
 * Tables: `rows` is the upstream with each row's position in `rowColumn`; `keys`
 * holds each row's normalised columns (`c0`, `c1`, ...) and blocking keys (`k0`, ...).
 */
export const rowColumn = 'sluice_dedupe_row';
const row = quoteIdent(rowColumn);

/** The normal form of `normaliseForMatching`: lower case, no accents, words of letters and digits. */
function normalised(expression: string): string {
  return `nullif(trim(regexp_replace(replace(strip_accents(lower(CAST(${expression} AS VARCHAR))), 'ß', 'ss'), '[^\\pL\\pN]+', ' ', 'g')), '')`;
}

/**
 * Each row's position, compared columns in normal form and blocking keys (null
 * when a key column is missing). Each named column is normalised once, however
 * many roles it has: the regular expression is the costly part.
 */
export function keysQuery(rowsTable: string, options: ResolvedDedupeOptions): string {
  const named = [...new Set([...options.columns.map((c) => c.name), ...options.blocking.flat()])];
  const folded = new Map(named.map((column, i) => [column, `f${i}`]));
  const columns = options.columns.map((column, c) => {
    const form = folded.get(column.name)!;
    return `${column.sortTokens ? `array_to_string(list_sort(string_split(${form}, ' ')), ' ')` : form} AS c${c}`;
  });
  const keys = options.blocking.map((pass, k) => {
    const parts = pass.map((column) => folded.get(column)!);
    const joined = parts.length === 1 ? parts[0]! : `CASE WHEN ${parts.map((p) => `${p} IS NULL`).join(' OR ')} THEN NULL ELSE concat_ws(chr(1), ${parts.join(', ')}) END`;
    return `${joined} AS k${k}`;
  });
  const normalisedColumns = named.map((column) => `${normalised(quoteIdent(column))} AS ${folded.get(column)!}`);
  return `SELECT ${row}, ${[...columns, ...keys].join(', ')} FROM (SELECT ${row}, ${normalisedColumns.join(', ')} FROM ${rowsTable})`;
}

/** Per pass, the blocks over the size limit: how many and how many rows they hold. */
export function oversizedBlocksQuery(keysTable: string, options: ResolvedDedupeOptions): string {
  return options.blocking
    .map((_, k) => `SELECT count(*) AS blocks, coalesce(sum(n), 0) AS rows FROM (SELECT count(*) AS n FROM ${keysTable} WHERE k${k} IS NOT NULL GROUP BY k${k} HAVING count(*) > ${sqlNumber(options.maxBlockSize)})`)
    .join(' UNION ALL ');
}

/**
 * Every pair sharing a key of some pass, once, scored; only pairs scoring at
 * least `review` are kept. Columns: left and right positions, `score`, and `s0`,
 * `s1`, ... each column's similarity (null when a side is missing).
 */
export function scoredPairsQuery(keysTable: string, options: ResolvedDedupeOptions): string {
  const passes = options.blocking.map(
    (_, k) =>
      `SELECT a.${row} AS l, b.${row} AS r FROM ${keysTable} AS a JOIN ${keysTable} AS b ON a.k${k} = b.k${k} AND a.${row} < b.${row} ` +
      `WHERE a.k${k} IN (SELECT k${k} FROM ${keysTable} WHERE k${k} IS NOT NULL GROUP BY k${k} HAVING count(*) <= ${sqlNumber(options.maxBlockSize)})`,
  );
  const columns = options.columns.map((column, c) => ({ ...column, c, costly: costly.has(column.similarity) }));
  type Term = (typeof columns)[number];
  const cheap = columns.filter((c) => !c.costly);
  const dear = columns.filter((c) => c.costly);
  // Values of both sides as `a0`/`b0`, ...; a similarity is null when either side is missing.
  const present = (c: number): string => `a${c} IS NOT NULL AND b${c} IS NOT NULL`;
  const similarity = ({ c, similarity: kind }: Term): string => `CASE WHEN ${present(c)} THEN ${similaritySql(kind, `a${c}`, `b${c}`)} END AS s${c}`;
  const weighted = (terms: readonly Term[], value: (c: number) => string): string => terms.map(({ c, weight }) => `coalesce(${value(c)} * ${sqlNumber(weight)}, 0)`).join(' + ') || '0';
  const weights = (terms: readonly Term[], has: (c: number) => string): string => terms.map(({ c, weight }) => `CASE WHEN ${has(c)} THEN ${sqlNumber(weight)} ELSE 0 END`).join(' + ') || '0';
  // A pair's score can reach `review` only if it would with every costly similarity at 1: the cheap
  // similarities are computed for every pair, the costly ones only for the pairs still within reach.
  const ceiling = `(${weighted(cheap, (c) => `s${c}`)} + ${weights(dear, present)}) / nullif(${weights(cheap, (c) => `s${c} IS NOT NULL`)} + ${weights(dear, present)}, 0)`;
  const sides = columns.map(({ c }) => `a.c${c} AS a${c}, b.c${c} AS b${c}`);
  return (
    `WITH pairs AS (${passes.join(' UNION ')}), ` +
    `sides AS (SELECT p.l, p.r, ${sides.join(', ')} FROM pairs AS p JOIN ${keysTable} AS a ON a.${row} = p.l JOIN ${keysTable} AS b ON b.${row} = p.r), ` +
    `cheap AS (SELECT ${['*', ...cheap.map(similarity)].join(', ')} FROM sides), ` +
    `compared AS (SELECT l, r, ${[...cheap.map(({ c }) => `s${c}`), ...dear.map(similarity)].join(', ')} FROM cheap WHERE ${dear.length ? `${ceiling} >= ${sqlNumber(options.review)}` : 'true'}), ` +
    `scored AS (SELECT *, (${weighted(columns, (c) => `s${c}`)}) / nullif(${weights(columns, (c) => `s${c} IS NOT NULL`)}, 0) AS score FROM compared) ` +
    `SELECT l, r, score, ${columns.map(({ c }) => `s${c}`).join(', ')} FROM scored WHERE score >= ${sqlNumber(options.review)}`
  );
}

/** Similarities the data plane computes slowly (an edit distance, word lists), left for the pairs a cheap bound keeps. */
const costly = new Set<Similarity>(['levenshtein', 'token_jaccard']);

function similaritySql(kind: Similarity, a: string, b: string): string {
  switch (kind) {
    case 'jaro_winkler':
      return `jaro_winkler_similarity(${a}, ${b})`;
    case 'levenshtein':
      return `1 - levenshtein(${a}, ${b}) / greatest(length(${a}), length(${b}))`;
    case 'token_jaccard': {
      const left = `list_distinct(string_split(${a}, ' '))`;
      const right = `list_distinct(string_split(${b}, ' '))`;
      const common = `len(list_intersect(${left}, ${right}))`;
      return `${common} / (len(${left}) + len(${right}) - ${common})`;
    }
    case 'exact':
      return `CASE WHEN ${a} = ${b} THEN 1.0 ELSE 0.0 END`;
  }
}

/** A number from checked settings, written into SQL as a literal. */
function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}
