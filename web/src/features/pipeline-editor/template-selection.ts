/** A range of a document, as offsets. */
export interface TextRange {
  readonly from: number;
  readonly to: number;
}

/**
 * What a just-added block's editor selects, so typing replaces the part of
 * its template the user rewrites: a SQL test's `false` (its rule goes there),
 * anything else whole.
 */
export function templateSelection(text: string): TextRange {
  const rule = /\bWHERE (false)\s*$/.exec(text);
  if (rule) {
    const from = rule.index + rule[0].indexOf('false');
    return { from, to: from + 'false'.length };
  }
  return { from: 0, to: text.length };
}
