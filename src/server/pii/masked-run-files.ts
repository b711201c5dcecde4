import type { Context } from 'hono';
import type { FittedColumn, FittedTransforms } from '../../toolkit/ml/fit-transforms.ts';
import { fittedTransformsFile } from '../../toolkit/ml/prepare-block-runner.ts';
import { maskedMarker } from './value-mask.ts';

/**
 * The JSON files a block run kept, as the caller may see them: a prepare
 * block's fitted parameters hold values learnt from its rows (the categories
 * of a column, its mean and range), so those of a personal-data column are
 * the marker for a role below editor, as a profile's are.
 */
export async function maskRunFiles(c: Context, pipeline: string, block: string, files: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>>> {
  const fitted = files[fittedTransformsFile] as FittedTransforms | undefined;
  if (!fitted?.columns || typeof fitted.columns !== 'object') return files;
  const mask = await c.get('maskFor')(pipeline, block, Object.keys(fitted.columns));
  if (mask.empty) return files;
  const columns = Object.fromEntries(Object.entries(fitted.columns).map(([name, column]) => [name, mask.has(name) ? maskedFit(column) : column]));
  return { ...files, [fittedTransformsFile]: { ...fitted, columns, masked: mask.among(Object.keys(fitted.columns)) } };
}

function maskedFit(column: FittedColumn): Record<string, unknown> {
  if (column.kind === 'one_hot' || column.kind === 'ordinal') return { ...column, categories: column.categories.map(() => maskedMarker) };
  if (column.kind === 'standard') return { kind: column.kind, mean: maskedMarker, std: maskedMarker };
  return { kind: column.kind, min: maskedMarker, max: maskedMarker };
}
