import type { MiddlewareHandler } from 'hono';
import { roleAtLeast } from '../../core/run-store/user-store.ts';
import { TextMask } from './text-mask.ts';
import { ColumnMask } from './value-mask.ts';
import type { PiiMarks } from './pii-marks.ts';

/** The role from which a caller sees personal-data values as they are. */
export const seesPersonalData = 'editor';

declare module 'hono' {
  interface ContextVariableMap {
    /**
     * The columns of a block's output (`columns`: its column names) this
     * caller may not see the values of: the personal-data columns for a
     * viewer or operator, none for an editor or admin. Every route that
     * answers with values of a stored output asks it.
     */
    maskFor: (pipeline: string, block: string, columns: readonly string[]) => Promise<ColumnMask>;
    /**
     * Which free text (log lines, error messages) of a run of `pipeline` this
     * caller may read; `blockRuns` are the run's block runs, whose stored
     * columns the project's rules are matched against. Every route that
     * answers with a run's log lines or errors asks it.
     */
    textMaskFor: (pipeline: string, blockRuns: readonly { readonly block: string; readonly columns?: readonly { readonly name: string }[] | undefined }[]) => Promise<TextMask>;
  }
}

/**
 * Lends each signed-in request the one masking decision (docs/pii.md): a
 * caller below editor gets personal-data values replaced by a fixed marker,
 * with the masked columns named in the answer.
 */
export function valueMasking(marks: PiiMarks): MiddlewareHandler {
  return async (c, next) => {
    const principal = c.get('principal');
    const sees = principal !== undefined && roleAtLeast(principal.role, seesPersonalData);
    c.set('maskFor', async (pipeline, block, columns) => (sees ? ColumnMask.none : new ColumnMask(await marks.columnsOf(pipeline, block, columns))));
    c.set('textMaskFor', async (pipeline, blockRuns) => (sees ? TextMask.none : new TextMask(await marks.blocksHandling(pipeline, blockRuns))));
    return next();
  };
}
