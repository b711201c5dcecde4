import { distance } from 'fastest-levenshtein';
import { foldText } from '../fold-text.ts';

/**
 * How two values of a column are compared, each giving 0 (nothing alike) to 1
 * (the same after normalising). The data plane computes the same scores with
 * its own functions (see dedupe-sql.ts), so a block and `findDuplicates` agree.
 *
 * - `jaro_winkler`: characters in common and in order, favouring a shared start; for names and short text;
 * - `levenshtein`: 1 - edits / length of the longer value; for codes, emails, numbers typed by hand;
 * - `token_jaccard`: words in common / words in either; for text whose words move ("Smith, John");
 * - `exact`: 1 when equal, else 0.
 */
export const similarities = ['jaro_winkler', 'levenshtein', 'token_jaccard', 'exact'] as const;
export type Similarity = (typeof similarities)[number];

/**
 * The form values are compared in: lower case, accents and punctuation gone,
 * words separated by single spaces ("  O'Brien-Smith, Élodie" -> "o brien smith elodie").
 * With `sortTokens` the words are sorted too, so "Smith John" meets "John Smith".
 * Null when nothing is left.
 */
export function normaliseForMatching(input: unknown, sortTokens = false): string | null {
  if (input === null || input === undefined) return null;
  const folded = foldText(typeof input === 'string' ? input : String(input))
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  if (folded === '') return null;
  return sortTokens ? sortWords(folded) : folded;
}

function sortWords(text: string): string {
  return text.split(' ').sort().join(' ');
}

/** The similarity of two normalised values (see `similarities`). */
export function similarity(kind: Similarity, a: string, b: string): number {
  switch (kind) {
    case 'jaro_winkler':
      return jaroWinkler(a, b);
    case 'levenshtein':
      return levenshteinSimilarity(a, b);
    case 'token_jaccard':
      return tokenJaccard(a, b);
    case 'exact':
      return a === b ? 1 : 0;
  }
}

/** 1 - edits / length of the longer value. */
export function levenshteinSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - distance(a, b) / longer;
}

/** Distinct words in common over distinct words in either. */
export function tokenJaccard(a: string, b: string): number {
  const left = new Set(a.split(' '));
  const right = new Set(b.split(' '));
  let common = 0;
  for (const word of left) if (right.has(word)) common++;
  const either = left.size + right.size - common;
  return either === 0 ? 1 : common / either;
}

/**
 * Jaro-Winkler as the data plane computes it: matches within half the longer
 * length less one, half the out-of-order matches (rounded down) as transpositions, and a
 * bonus of 0.1 per shared leading character (at most four) once Jaro passes 0.7.
 */
export function jaroWinkler(a: string, b: string): number {
  const jaro = jaroSimilarity(a, b);
  if (jaro <= 0.7) return jaro;
  let prefix = 0;
  const most = Math.min(4, a.length, b.length);
  while (prefix < most && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

function jaroSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const matchedB = new Uint8Array(b.length);
  const matchedA = new Uint8Array(a.length);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(b.length - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (!matchedB[j] && a.charCodeAt(i) === b.charCodeAt(j)) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  for (let i = 0, j = 0; i < a.length; i++) {
    if (!matchedA[i]) continue;
    while (!matchedB[j]) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) outOfOrder++;
    j++;
  }
  // Whole transpositions, as the data plane counts them (an odd one out does not count).
  const transpositions = Math.floor(outOfOrder / 2);
  return (matches / a.length + matches / b.length + (matches - transpositions) / matches) / 3;
}
