import { SluiceError } from '../../core/errors.ts';

/** A problem with the data being prepared, naming the column and the rows (1-based, in input order). */
export function dataPrepError(code: string, message: string): SluiceError {
  return new SluiceError(`toolkit.${code}`, message);
}

/** "rows 3, 7 and 9" (at most five named, then how many more). */
export function describeRows(rows: readonly number[], side?: string): string {
  const named = rows.slice(0, 5).map(String);
  const more = rows.length > 5 ? ` and ${rows.length - 5} more` : '';
  const list = named.length > 1 && !more ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named.join(', ') + more;
  return `${side ? `${side} ` : ''}row${rows.length === 1 ? '' : 's'} ${list}`;
}
