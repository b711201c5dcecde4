import { type CleanedValue, type FlagCounts, countFlags, inputText } from '../cleaned-value.ts';
import type { Dictionary } from './dictionary-file.ts';
import { type DictionaryCandidate, DictionaryIndex, type DictionaryMatch, shortestFuzzyKey } from './dictionary-index.ts';
import { dictionaryKey } from './dictionary-key.ts';

export interface StandardizeOptions {
  /** The similarity (0 to 1) a value needs to be read as a canonical value it is not written as; 0.85 unless given. */
  readonly threshold?: number;
}

/** One value against the dictionary: the canonical value or a flag, how sure (0 to 1), and, when undecided, the closest values. */
export interface StandardizedValue extends CleanedValue {
  /** Confidence: 1 for a known writing, the similarity for a fuzzy match or the best candidate's; null for an empty value or one reviewed as none. */
  readonly score: number | null;
  readonly match?: DictionaryMatch;
  /** For a flagged value: the closest canonical values, best first (at most three). */
  readonly candidates?: readonly DictionaryCandidate[];
}

export interface Standardized {
  readonly values: StandardizedValue[];
  readonly report: { readonly counts: FlagCounts; readonly matches: Readonly<Record<DictionaryMatch, number>>; readonly distinct: number };
}

export const defaultThreshold = 0.85;
/** Two candidates closer than this are a tie: the value is flagged, never guessed. */
export const tieMargin = 0.05;

const indexes = new WeakMap<Dictionary, DictionaryIndex>();

/**
 * Maps each value to a canonical value of a dictionary the project keeps as a
 * file (`dictionaries/NAME.yaml`, see `loadDictionary`). A value written as a
 * canonical value, a variant or a reviewed decision maps with score 1, as does
 * one that differs only in case, accents, spacing or punctuation. Any other
 * value maps by similarity when its best canonical value scores at least
 * `threshold` and no other comes within 0.05; otherwise it is flagged
 * (`review` under the threshold, `ambiguous` for a tie) with the closest
 * values, so a reviewer can decide and write the decision into the file.
 * Each distinct value is looked up once.
 * @example
 * const categories = loadDictionary(ctx.project.root, 'categories');
 * standardize(['electronics', 'Electrnics', 'Gizmos'], categories).values.map((r) => r.value);
 * // ['Electronics', 'Electronics', null]
 */
export function standardize(inputs: readonly unknown[], dictionary: Dictionary, options: StandardizeOptions = {}): Standardized {
  const threshold = options.threshold ?? defaultThreshold;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be above 0 and at most 1, not ${threshold}`);
  let index = indexes.get(dictionary);
  if (!index) indexes.set(dictionary, (index = new DictionaryIndex(dictionary)));
  const seen = new Map<string, StandardizedValue>();
  const matches: Record<DictionaryMatch, number> = { exact: 0, variant: 0, reviewed: 0, folded: 0, fuzzy: 0 };
  const empty: StandardizedValue = { value: null, score: null };
  const values = inputs.map((input) => {
    const text = inputText(input);
    if (text === null) return empty;
    let result = seen.get(text);
    if (!result) seen.set(text, (result = lookUp(text, index, threshold)));
    if (result.match) matches[result.match]++;
    return result;
  });
  return { values, report: { counts: countFlags(values), matches, distinct: seen.size } };
}

function lookUp(text: string, index: DictionaryIndex, threshold: number): StandardizedValue {
  const { name } = index.dictionary;
  const key = dictionaryKey(text);
  const known = index.known(text, key);
  if (known) {
    if (known.canonical === null) return { value: null, score: null, match: known.match, flag: 'unrecognised', reason: `"${text}" was reviewed as no value of dictionary '${name}'` };
    return { value: known.canonical, score: 1, match: known.match };
  }
  const all = key === '' ? [] : index.candidates(key);
  const candidates = all.slice(0, 3);
  const [best, second] = candidates;
  const named = candidates.map((c) => `"${c.value}" (${c.score.toFixed(2)})`).join(', ');
  if (!best) return { value: null, score: 0, flag: 'review', reason: `"${text}" is like no value of dictionary '${name}'`, candidates };
  if (best.score < threshold || key.length < shortestFuzzyKey) {
    const why = key.length < shortestFuzzyKey ? 'too short to match by similarity' : `under the ${threshold} threshold`;
    return { value: null, score: best.score, flag: 'review', reason: `"${text}" is not in dictionary '${name}' and ${why}; closest: ${named}`, candidates };
  }
  if (second && best.score - second.score < tieMargin) {
    return { value: null, score: best.score, flag: 'ambiguous', reason: `"${text}" is about as close to "${best.value}" (${best.score.toFixed(2)}) as to "${second.value}" (${second.score.toFixed(2)})`, candidates };
  }
  return { value: best.value, score: best.score, match: 'fuzzy', reason: `"${text}" read as "${best.value}" (similarity ${best.score.toFixed(2)})` };
}
