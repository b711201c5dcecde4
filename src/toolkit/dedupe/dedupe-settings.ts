import { z } from 'zod';
import { similarities, type Similarity } from './similarity.ts';

/** How one column is compared. */
export interface MatchColumn {
  readonly similarity: Similarity;
  /** How much the column counts in a pair's score (default 1). */
  readonly weight?: number | undefined;
  /** Compare the words sorted, so "Smith John" meets "John Smith". */
  readonly sortTokens?: boolean | undefined;
}

/** What `findDuplicates` and a dedupe block are told. */
export interface DedupeOptions {
  /** The columns compared, each with its similarity and weight. */
  readonly columns: Readonly<Record<string, MatchColumn | Similarity>>;
  /**
   * Blocking passes: records are compared only with records sharing the key of a
   * pass (a column, or several columns together), compared normalised. A pair
   * sharing any pass's key is compared once. Records whose key is missing take no part in that pass.
   */
  readonly blocking: readonly (string | readonly string[])[];
  /** Pairs scoring at least this are duplicates. */
  readonly match: number;
  /** Pairs scoring at least this but under `match` go to the review table (default: none). */
  readonly review?: number | undefined;
  /**
   * Blocks with more records than this are not compared (their pair count grows with the
   * square), and are counted in the report instead. Default 1,000.
   */
  readonly maxBlockSize?: number | undefined;
}

/** The options with every default filled in and every column in the long form. */
export interface ResolvedDedupeOptions {
  readonly columns: readonly { readonly name: string; readonly similarity: Similarity; readonly weight: number; readonly sortTokens: boolean }[];
  readonly blocking: readonly (readonly string[])[];
  readonly match: number;
  readonly review: number;
  readonly maxBlockSize: number;
}

const similarity = z.enum(similarities);
const score = z.number().min(0).max(1);

/** The `dedupe:` settings of a pipeline block, snake_case as the rest of a pipeline file is. */
export const dedupeBlockSettingsSchema = z
  .strictObject({
    columns: z
      .record(
        z.string().min(1),
        z.union([
          similarity,
          z.strictObject({
            similarity,
            weight: z.number().positive().optional().describe('how much the column counts in a pair\'s score (default 1)'),
            sort_tokens: z.boolean().optional().describe('compare the words sorted, so "Smith John" meets "John Smith"'),
          }),
        ]),
      )
      .refine((columns) => Object.keys(columns).length > 0, 'name at least one column to compare')
      .describe('the columns compared, each with its similarity'),
    blocking: z
      .array(z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]))
      .min(1, 'name at least one blocking key (comparing every pair does not scale)')
      .describe('rows are compared only with rows sharing one of these keys: a column, or columns joined with +'),
    match: score.describe('pairs scoring at least this are duplicates (0 to 1)'),
    review: score.optional().describe('pairs scoring from this up to match go to the review block <name>__review'),
    max_block_size: z.number().int().min(2).optional().describe('blocks with more rows than this are not compared (default 1000)'),
    /** Columns shown for both sides of a pair in the review table besides the compared ones (an id, say). */
    show: z.array(z.string().min(1)).optional().describe('columns shown for both rows of a pair to review (an id, say)'),
  })
  .refine((s) => s.review === undefined || s.review <= s.match, { message: 'review must not be above match', path: ['review'] });

export type DedupeBlockSettings = z.output<typeof dedupeBlockSettingsSchema>;

export function optionsOfBlockSettings(settings: DedupeBlockSettings): DedupeOptions {
  return {
    columns: Object.fromEntries(
      Object.entries(settings.columns).map(([name, spec]) => [
        name,
        typeof spec === 'string' ? spec : { similarity: spec.similarity, weight: spec.weight, sortTokens: spec.sort_tokens },
      ]),
    ),
    blocking: settings.blocking,
    match: settings.match,
    review: settings.review,
    maxBlockSize: settings.max_block_size,
  };
}

export const defaultMaxBlockSize = 1000;

export function resolveDedupeOptions(options: DedupeOptions): ResolvedDedupeOptions {
  const columns = Object.entries(options.columns).map(([name, spec]) => {
    const long = typeof spec === 'string' ? { similarity: spec } : spec;
    if (!similarities.includes(long.similarity)) throw new RangeError(`column '${name}': no similarity '${long.similarity}' (similarities: ${similarities.join(', ')})`);
    const weight = long.weight ?? 1;
    if (!(weight > 0)) throw new RangeError(`column '${name}': a weight must be above 0`);
    return { name, similarity: long.similarity, weight, sortTokens: long.sortTokens ?? false };
  });
  if (columns.length === 0) throw new RangeError('name at least one column to compare');
  if (options.blocking.length === 0) throw new RangeError('name at least one blocking key (comparing every pair does not scale)');
  const review = options.review ?? options.match;
  if (!(options.match >= 0 && options.match <= 1)) throw new RangeError(`match must be between 0 and 1 (got ${options.match})`);
  if (!(review >= 0 && review <= options.match)) throw new RangeError(`review must be between 0 and match (got ${review})`);
  return {
    columns,
    blocking: options.blocking.map((pass) => (typeof pass === 'string' ? [pass] : [...pass])),
    match: options.match,
    review,
    maxBlockSize: options.maxBlockSize ?? defaultMaxBlockSize,
  };
}
