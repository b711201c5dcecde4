import type { Row } from '../../core/data-plane/data-plane.ts';
import { type FittedColumn, type FittedTransforms, toNumber } from './fit-transforms.ts';
import { dataPrepError, describeRows } from './ml-error.ts';
import { isMissing, keyOf } from './row-values.ts';

/** The columns one-hot encoding `column` adds: `<column>_<category>`. */
export function oneHotColumns(column: string, categories: readonly string[]): string[] {
  return categories.map((category) => `${column}_${category}`);
}

/**
 * Applies transforms learnt by `fitTransforms` to rows of any side. Scaled
 * columns hold the scaled number; an ordinal column holds the category's
 * position (-1 for an unseen one when `unseen` is `ignore`); a one-hot column is
 * replaced by a 0/1 column per category. A missing value stays null. A value
 * that is not a number, or an unseen category under `unseen: error`, fails,
 * naming the column and rows (`side` names them in the message: `test rows 3 and 9`).
 */
export function applyTransforms<R extends Row>(rows: readonly R[], fitted: FittedTransforms, side = ''): Row[] {
  const steps = Object.entries(fitted.columns).map(([column, params]) => makeStep(rows, column, params, side));
  return rows.map((row) => {
    const out: Row = { ...row };
    for (const step of steps) step(out);
    return out;
  });
}

type Step = (row: Row) => void;

function makeStep(rows: readonly Row[], column: string, params: FittedColumn, side: string): Step {
  const sideLabel = side || undefined;
  const absent = rows.flatMap((row, i) => (column in row ? [] : [i + 1]));
  if (absent.length) throw dataPrepError('unknown_column', `column '${column}' is missing from ${describeRows(absent, sideLabel)}`);
  switch (params.kind) {
    case 'standard':
    case 'min_max': {
      const bad = rows.flatMap((row, i) => (!isMissing(row[column]) && toNumber(row[column]) === null ? [i + 1] : []));
      if (bad.length) throw dataPrepError('not_a_number', `column '${column}' is not a number in ${describeRows(bad, sideLabel)} (${JSON.stringify(String(rows[bad[0]! - 1]![column]))})`);
      const [offset, spread] = params.kind === 'standard' ? [params.mean, params.std] : [params.min, params.max - params.min];
      // A constant training column scales to 0 rather than dividing by zero.
      const divisor = spread === 0 ? 1 : spread;
      return (row) => {
        row[column] = isMissing(row[column]) ? null : (toNumber(row[column])! - offset) / divisor;
      };
    }
    case 'one_hot':
    case 'ordinal': {
      const codes = new Map(params.categories.map((category, i) => [category, i]));
      if (params.unseen === 'error') {
        const unseen = rows.flatMap((row, i) => (!isMissing(row[column]) && !codes.has(keyOf(row[column])) ? [i + 1] : []));
        if (unseen.length) {
          const first = keyOf(rows[unseen[0]! - 1]![column]);
          throw dataPrepError('unseen_category', `column '${column}' holds categories the training rows did not have in ${describeRows(unseen, sideLabel)} (first '${first}'); set unseen: ignore to encode them as none`);
        }
      }
      if (params.kind === 'ordinal') {
        return (row) => {
          row[column] = isMissing(row[column]) ? null : (codes.get(keyOf(row[column])) ?? -1);
        };
      }
      const added = oneHotColumns(column, params.categories);
      const taken = added.filter((name) => rows.length > 0 && name in rows[0]!);
      if (taken.length) throw dataPrepError('column_taken', `one-hot encoding '${column}' adds ${taken.map((t) => `'${t}'`).join(', ')}, which the rows already have`);
      return (row) => {
        const value = row[column];
        const code = isMissing(value) ? undefined : (codes.get(keyOf(value)) ?? -1);
        delete row[column];
        added.forEach((name, i) => (row[name] = code === undefined ? null : code === i ? 1 : 0));
      };
    }
  }
}
