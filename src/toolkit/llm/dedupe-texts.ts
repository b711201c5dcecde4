import { createHash } from 'node:crypto';
import { bandKey, bands, estimatedSimilarity, hashSeeds, minHashSignature, signatureLength } from './minhash.ts';

export interface DedupeTextsOptions {
  /**
   * Also remove texts this similar to an earlier kept one: the share (0 to 1) of
   * their character 5-grams in common, as MinHash estimates it (0.8 catches a
   * changed word in a sentence of twenty). Without it only texts that normalise
   * to the same text are removed.
   */
  readonly similarity?: number | undefined;
  /** Seeds the MinHash functions, so a run is reproducible (default 1). */
  readonly seed?: number | undefined;
}

export interface DedupedTexts {
  /** For each value, the position of the earlier value it repeats, or null when it is the first of its kind. */
  readonly duplicateOf: (number | null)[];
  readonly report: { readonly values: number; readonly kept: number; readonly removed: number };
}

/**
 * Finds near-identical texts (training examples, documents) by hashing a
 * normalised form: Unicode NFKC, lower case, with punctuation and whitespace
 * removed. Two texts that differ only in those are the same. With `similarity`,
 * texts that share that much of their character 5-grams with an earlier kept
 * one are removed too (a word added or swapped), found by MinHash with
 * banding (see minhash.ts) in time linear in the number of texts; without it
 * any other change keeps both. The first of each kind is kept. Only a 128-bit
 * hash of each kind (and, with `similarity`, a 256-byte signature of each kept
 * text) is held, not its text, so large columns fit.
 *
 * ```ts
 * const { duplicateOf, report } = dedupeTexts(['Hello, world!', 'hello world', 'Hello there']);
 * // duplicateOf -> [null, 0, null]; report -> { values: 3, kept: 2, removed: 1 }
 * dedupeTexts(['Reset your password from the settings page.', 'Reset your password from the Settings page please.'], { similarity: 0.8 }).duplicateOf;
 * // -> [null, 0]
 * ```
 */
export function dedupeTexts(values: readonly unknown[], options: DedupeTextsOptions = {}): DedupedTexts {
  const { similarity } = options;
  if (similarity !== undefined && !(similarity > 0 && similarity <= 1)) throw new RangeError(`similarity must be above 0 and at most 1 (got ${similarity})`);
  const near = similarity === undefined ? undefined : nearTexts(similarity, options.seed ?? 1);
  const firstOf = new Map<string, number>();
  let removed = 0;
  const duplicateOf = values.map((value, i) => {
    const words = normalWords(value);
    const key = createHash('md5').update(words.replaceAll(' ', '')).digest('base64');
    const first = firstOf.get(key) ?? near?.(words, i);
    if (first !== undefined) {
      removed++;
      return first;
    }
    firstOf.set(key, i);
    return null;
  });
  return { duplicateOf, report: { values: values.length, kept: values.length - removed, removed } };
}

/**
 * Finds, for a text, an earlier kept text at least `similarity` alike, or
 * registers it as kept. Each band remembers the first kept text that had it,
 * so a text is checked against at most 16 earlier ones, never all: a million
 * texts cost a million signatures. Only kept texts' signatures are held.
 */
function nearTexts(similarity: number, seed: number): (words: string, position: number) => number | undefined {
  const seeds = hashSeeds(seed);
  const firstWithBand = new Map<number, number>();
  const signatures = new Map<number, Int32Array>();
  const keys = new Int32Array(bands);
  return (words, position) => {
    if (words === '') return undefined;
    const signature = new Int32Array(signatureLength);
    minHashSignature(words, seeds, signature);
    let found: number | undefined;
    for (let band = 0; band < bands; band++) {
      keys[band] = bandKey(signature, band);
      const candidate = firstWithBand.get(keys[band]!);
      if (candidate !== undefined && (found === undefined || candidate < found) && estimatedSimilarity(signature, signatures.get(candidate)!) >= similarity) found = candidate;
    }
    if (found !== undefined) return found;
    signatures.set(position, signature);
    for (const key of keys) if (!firstWithBand.has(key)) firstWithBand.set(key, position);
    return undefined;
  };
}

/** The words of a text in the form compared: Unicode NFKC, lower case, letters and digits, single spaces. Objects (chat messages) are read as their JSON. */
function normalWords(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** The hash two texts share when they differ only in case, punctuation, white space or Unicode form. */
export function textKey(value: unknown): string {
  return createHash('md5').update(normalWords(value).replaceAll(' ', '')).digest('base64');
}
