import { SluiceError } from '../core/errors.ts';
import type { BlockResult, BlockRunContext } from '../core/run/block-runner.ts';
import { quoteIdent, quoteLiteral } from '../core/sql/quote.ts';

/** The column a splitting block (prepare, examples) adds: which side each row is on. */
export const splitColumn = 'split';

/**
 * A side's block beside a splitting block: that block's rows of one side,
 * without the `split` column that says so, so a downstream block reads a side
 * as it reads any block output. `noun` names the rows in the run summary.
 */
export async function keepSplitSide(side: string, context: BlockRunContext, noun: string): Promise<BlockResult> {
  const input = context.inputs[0]!;
  if (!input.output.columns.some((c) => c.name === splitColumn)) {
    throw new SluiceError('split.no_column', `'${input.name}' has no '${splitColumn}' column to take the ${side} ${noun} from`);
  }
  const output = await context.session.storeQuery(
    `SELECT * EXCLUDE (${quoteIdent(splitColumn)}) FROM ${quoteIdent(input.name)} WHERE ${quoteIdent(splitColumn)} = ${quoteLiteral(side)}`,
    context.outputLocation,
    context.signal,
  );
  return { output, rowsIn: input.output.rows, summary: `${output.rows} ${side} ${noun}` };
}
