import { z } from 'zod';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { dataPrepError, describeRows } from './ml-error.ts';
import { isMissing, keyOf } from './row-values.ts';

/** What happens to a category the training rows never had: fail naming it, or encode it as none (all zeros, ordinal -1). */
export const unseenCategoryChoices = ['error', 'ignore'] as const;

/** How one column is transformed: scaled (numbers) or encoded (categories). Written in snake_case, as in a pipeline file. */
export const columnTransformSchema = z.union([
  z.strictObject({ scale: z.enum(['standard', 'min_max']).describe('standard: (x - mean) / std; min_max: into 0 to 1') }),
  z.strictObject({
    encode: z.enum(['one_hot', 'ordinal']).describe('one_hot: a 0/1 column per category; ordinal: the category\'s position'),
    /** Default `error`. */
    unseen: z.enum(unseenCategoryChoices).optional().describe('a category the train rows lack: error fails, ignore encodes it as none'),
    /** The categories in this order (ordinal codes follow it); by default the training rows' values, sorted. */
    categories: z.array(z.string()).min(1).optional().describe('the categories in this order; by default the train rows\' values, sorted'),
  }),
]);
export type ColumnTransform = z.output<typeof columnTransformSchema>;

/** A transform's parameters, learnt from the training rows only: plain JSON, to keep with the run and apply again. */
export type FittedColumn =
  | { readonly kind: 'standard'; readonly mean: number; readonly std: number }
  | { readonly kind: 'min_max'; readonly min: number; readonly max: number }
  | { readonly kind: 'one_hot' | 'ordinal'; readonly categories: readonly string[]; readonly unseen: (typeof unseenCategoryChoices)[number] };

export interface FittedTransforms {
  readonly version: 1;
  /** How many training rows the parameters were learnt from. */
  readonly fittedOnRows: number;
  readonly columns: Readonly<Record<string, FittedColumn>>;
}

/**
 * Learns each column's transform from the training rows only (means, ranges,
 * categories), so nothing of the test rows leaks into the features. The result
 * is plain JSON: store it with the run and give it to `applyTransforms` for
 * every side, and later for the rows the model scores.
 * @example
 * const fitted = fitTransforms(train, { amount: { scale: 'standard' }, country: { encode: 'one_hot', unseen: 'ignore' } });
 * const features = applyTransforms(test, fitted);
 */
export function fitTransforms(train: readonly Row[], spec: Readonly<Record<string, ColumnTransform>>): FittedTransforms {
  const columns: Record<string, FittedColumn> = {};
  for (const [column, raw] of Object.entries(spec)) {
    const parsed = columnTransformSchema.safeParse(raw);
    if (!parsed.success) throw dataPrepError('bad_transform', `column '${column}': ${parsed.error.issues[0]!.message}`);
    columns[column] = fitColumn(train, column, parsed.data);
  }
  return { version: 1, fittedOnRows: train.length, columns };
}

function fitColumn(train: readonly Row[], column: string, transform: ColumnTransform): FittedColumn {
  if ('scale' in transform) {
    const values = numbersOf(train, column, 'training');
    if (values.length === 0) throw dataPrepError('nothing_to_fit', `column '${column}' has no values in the training rows to fit a ${transform.scale} scaler on`);
    if (transform.scale === 'min_max') {
      // A loop, not Math.min(...values): spreading a large column overflows the stack.
      let [min, max] = [values[0]!, values[0]!];
      for (const v of values) [min, max] = [Math.min(min, v), Math.max(max, v)];
      return { kind: 'min_max', min, max };
    }
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    return { kind: 'standard', mean, std: Math.sqrt(variance) };
  }
  const seen = new Set(train.flatMap((row) => (isMissing(row[column]) ? [] : [keyOf(row[column])])));
  const unseen = transform.unseen ?? 'error';
  if (transform.categories) {
    const extra = [...seen].filter((value) => !transform.categories!.includes(value));
    if (extra.length && unseen === 'error') {
      throw dataPrepError('unseen_category', `column '${column}': the training rows hold ${extra.map((v) => `'${v}'`).join(', ')}, not among the listed categories; list them or set unseen: ignore`);
    }
    return { kind: transform.encode, categories: transform.categories, unseen };
  }
  if (seen.size === 0) throw dataPrepError('nothing_to_fit', `column '${column}' has no values in the training rows to learn categories from`);
  return { kind: transform.encode, categories: [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), unseen };
}

/** The column's numbers, nulls left out; any other value fails, naming its rows. */
export function numbersOf(rows: readonly Row[], column: string, side: string): number[] {
  const numbers: number[] = [];
  const bad: number[] = [];
  rows.forEach((row, i) => {
    const value = row[column];
    if (isMissing(value)) return;
    const number = toNumber(value);
    if (number === null) bad.push(i + 1);
    else numbers.push(number);
  });
  if (bad.length) throw dataPrepError('not_a_number', `column '${column}' is not a number in ${describeRows(bad, side)} (${JSON.stringify(String(rows[bad[0]! - 1]![column]))})`);
  return numbers;
}

export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?\s*$/i.test(value)) return Number(value);
  return null;
}
