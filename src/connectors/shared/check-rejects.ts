import { z } from 'zod';
import { SluiceError } from '../../core/errors.ts';

/** `max_rejects`: how many rows a loader may reject, as a count (`100`) or a share of the rows read (`"2%"`). */
export const maxRejectsSchema = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?%$/, "a count (e.g. 100) or a percentage (e.g. '2%')"),
]);

export type MaxRejects = z.output<typeof maxRejectsSchema>;

export interface RejectTally {
  /** Rows loaded. */
  readonly rows: number;
  readonly rejected: number;
  readonly maxRejects?: MaxRejects | undefined;
  /** The first rejects as `file:line: reason`, to say why. */
  readonly first: readonly string[];
  /** What was read, as the user named it. */
  readonly source: string;
}

/**
 * Fails a block whose rejects say the input was misread rather than dirty:
 * every row rejected (a Latin-1 file read as UTF-8 loads nothing), or more
 * than `max_rejects`. The rejects are stored before this runs, so the
 * failure's first reasons can be followed up with `sluice preview --rejects`.
 */
export function checkRejects(tally: RejectTally): void {
  const { rows, rejected, maxRejects } = tally;
  if (!rejected) return;
  const why = `\n  ${tally.first.join('\n  ')}`;
  if (rows === 0) {
    throw new SluiceError('file.all_rejected', `every row of ${tally.source} was rejected (${rejected.toLocaleString('en-US')}); check the format, encoding and columns settings:${why}`);
  }
  if (maxRejects === undefined) return;
  const total = rows + rejected;
  const over =
    typeof maxRejects === 'number' ? rejected > maxRejects : (rejected / total) * 100 > Number(maxRejects.slice(0, -1));
  if (over) {
    const share = ((rejected / total) * 100).toFixed(1);
    throw new SluiceError(
      'file.too_many_rejects',
      `${rejected.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows of ${tally.source} were rejected (${share}%), more than max_rejects ${maxRejects}:${why}`,
    );
  }
}
