import { createHash } from 'node:crypto';

export interface DedupedTexts {
  /** For each value, the position of the earlier value it repeats, or null when it is the first of its kind. */
  readonly duplicateOf: (number | null)[];
  readonly report: { readonly values: number; readonly kept: number; readonly removed: number };
}

/**
 * Finds near-identical texts (training examples, documents) by hashing a
 * normalised form: Unicode NFKC, lower case, with punctuation and whitespace
 * removed. Two texts that differ only in those are the same; any other change
 * (a word added or swapped) keeps both. The first of each kind is kept. Only a
 * 128-bit hash of each kind is held, not its text, so large columns fit.
 *
 * ```ts
 * const { duplicateOf, report } = dedupeTexts(['Hello, world!', 'hello world', 'Hello there']);
 * // duplicateOf -> [null, 0, null]; report -> { values: 3, kept: 2, removed: 1 }
 * ```
 */
export function dedupeTexts(values: readonly unknown[]): DedupedTexts {
  const firstOf = new Map<string, number>();
  let removed = 0;
  const duplicateOf = values.map((value, i) => {
    const key = textKey(value);
    const first = firstOf.get(key);
    if (first !== undefined) {
      removed++;
      return first;
    }
    firstOf.set(key, i);
    return null;
  });
  return { duplicateOf, report: { values: values.length, kept: values.length - removed, removed } };
}

/** The hash two near-identical texts share. Objects (chat messages) are compared by their JSON. */
export function textKey(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const normal = text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  return createHash('md5').update(normal).digest('base64');
}
