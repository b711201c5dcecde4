import { foldText } from '../fold-text.ts';
import { abbreviations, splitWords, synonymGroups, weakWords } from './field-vocabulary.ts';

/** One word of a column name, after abbreviations are expanded. */
export interface NameToken {
  /** The part of the name it came from, as written (`CUST`, `Mailing`). */
  readonly written: string;
  /** The word it stands for (`customer`). */
  readonly word: string;
  /** The concept it names: its synonym group's first word, else its stem (`refunded` -> `refund`). */
  readonly concept: string;
  /** How much it counts in a comparison (weak words such as `is` or `code` count less). */
  readonly weight: number;
}

const conceptOf = new Map<string, string>();
for (const group of synonymGroups) for (const word of group) conceptOf.set(word, group[0]!);
const knownWords = new Set<string>([...conceptOf.keys(), ...splitWords, ...Object.keys(abbreviations)]);

/**
 * Splits a column name into words and names the concept of each:
 * `CUST_NO` -> customer number, `lastModifiedDate` -> last modified date,
 * `numberofemployees` -> number of employees (split on known words), `DOB` -> birth date.
 */
export function nameTokens(name: string): NameToken[] {
  const parts = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-zA-Z])(\d)/g, '$1 $2')
    .replace(/(\d)([a-zA-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part !== '');
  const tokens: NameToken[] = [];
  for (const written of parts) {
    const part = foldText(written);
    for (const piece of knownWords.has(part) ? [part] : splitRunTogether(part)) {
      for (const word of abbreviations[piece] ?? [piece]) tokens.push(token(written, word));
    }
  }
  return tokens;
}

function token(written: string, word: string): NameToken {
  const concept = conceptOf.get(word) ?? conceptOf.get(stem(word)) ?? stem(word);
  return { written, word, concept, weight: weakWords.get(word) ?? weakWords.get(concept) ?? 1 };
}

/** A crude stem: enough for `refunded`/`refund`, `taxes`/`tax`, `shipping`/`ship`, `employees`/`employee`. */
export function stem(word: string): string {
  if (word.length <= 3 || conceptOf.has(word)) return word;
  for (const [suffix, replacement] of [['ies', 'y'], ['sses', 'ss'], ['ing', ''], ['ed', ''], ['es', ''], ['s', '']] as const) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, word.length - suffix.length) + replacement;
      // `shipping` -> `shipp` -> `ship`; `taxes` -> `tax` but `names` -> `nam` is wrong, so keep a known word if one fits.
      if (knownWords.has(base)) return base;
      if (suffix === 'es' && knownWords.has(`${base}e`)) return `${base}e`;
      if (/(.)\1$/.test(base) && knownWords.has(base.slice(0, -1))) return base.slice(0, -1);
      if (suffix === 'es' || suffix === 'ing' || suffix === 'ed') continue;
      return base;
    }
  }
  return word;
}

/**
 * Splits a run-together lower-case word (`lastmodifieddate`) into known words,
 * fewest pieces first; a word that does not split wholly into known words
 * stays as it is.
 */
function splitRunTogether(part: string): string[] {
  if (part.length < 6 || /\d/.test(part)) return [part];
  const best: (string[] | undefined)[] = [[]];
  for (let end = 1; end <= part.length; end++) {
    for (let start = Math.max(0, end - 14); start < end; start++) {
      const piece = part.slice(start, end);
      const before = best[start];
      if (before === undefined || piece.length < 2 || !knownWords.has(piece)) continue;
      const candidate = [...before, piece];
      if (best[end] === undefined || candidate.length < best[end]!.length) best[end] = candidate;
    }
  }
  const split = best[part.length];
  return split && split.length > 1 ? split : [part];
}
