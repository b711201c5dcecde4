import type { Pipeline } from '../pipeline/pipeline.ts';
import { matchesPiiRule } from './pii-columns.ts';

/** What stands in for free text (a log line's or an error's message) that may quote a personal-data value. */
export const personalDataText = '[masked: this block handles personal data; an editor reads this text]';

/**
 * The blocks of a pipeline that read or write a personal-data column, by
 * what the pipeline's own file and its run tell: a block's `pii:` marks, the
 * project's rules matched against the columns a block stored (`outputs`),
 * and, for a block, the same of its upstream blocks (a message about a row
 * may quote a value it read). Text those blocks write may quote a value.
 * @example
 * blocksHandlingPii(pipeline, project.settings.pii.columns, run.blocks).has('load')
 */
export function blocksHandlingPii(
  pipeline: Pick<Pipeline, 'blocks'>,
  rules: readonly string[],
  outputs: readonly { readonly block: string; readonly columns?: readonly { readonly name: string }[] | undefined }[],
): Set<string> {
  const stored = new Map(outputs.map((o) => [o.block, o.columns ?? []]));
  const holds = (name: string): boolean => {
    const block = pipeline.blocks.find((b) => b.name === name);
    return Boolean(block?.pii?.length) || (stored.get(name) ?? []).some((c) => matchesPiiRule(c.name, rules));
  };
  return new Set(pipeline.blocks.filter((b) => holds(b.name) || b.upstream.some(holds)).map((b) => b.name));
}
