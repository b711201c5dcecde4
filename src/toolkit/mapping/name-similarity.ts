import { distance } from 'fastest-levenshtein';
import { relatedConcepts } from './field-vocabulary.ts';
import type { NameToken } from './name-tokens.ts';

/** How alike two column names are, 0 to 1, with the expansions that made them meet. */
export interface NameSimilarity {
  readonly score: number;
  /** Words read through an abbreviation or a synonym, e.g. `CUST → customer`, `zip ≈ postal code`. */
  readonly readings: readonly string[];
}

const related = new Set(relatedConcepts.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));

/**
 * Each word of one name takes its best match among the other's words
 * (same concept 1, related concept 0.5, an abbreviation written as a prefix
 * or a one-letter slip 0.8), weighted by how much the word says; the score
 * is the weighted share of both names' words that found a match.
 */
export function nameSimilarity(a: readonly NameToken[], b: readonly NameToken[]): NameSimilarity {
  if (!a.length || !b.length) return { score: 0, readings: [] };
  const readings = new Set<string>();
  let matched = 0;
  let total = 0;
  for (const [side, other, first] of [[a, b, true], [b, a, false]] as const) {
    for (const token of side) {
      let best = 0;
      let bestOther: NameToken | undefined;
      for (const candidate of other) {
        const match = tokenMatch(token, candidate);
        if (match > best) [best, bestOther] = [match, candidate];
      }
      matched += token.weight * best;
      total += token.weight;
      // A synonym shows once, from the source's side; an abbreviation shows from whichever side wrote it.
      if (bestOther && best >= 0.8) noteReading(token, bestOther, first, readings);
    }
  }
  return { score: total ? matched / total : 0, readings: [...readings] };
}

function tokenMatch(a: NameToken, b: NameToken): number {
  if (a.concept === b.concept) return 1;
  if (related.has(`${a.concept}|${b.concept}`)) return 0.5;
  const [short, long] = a.word.length <= b.word.length ? [a.word, b.word] : [b.word, a.word];
  if (short.length >= 3 && long.startsWith(short) && !/\d/.test(short)) return 0.8;
  if (short.length >= 5 && distance(a.word, b.word) <= 1) return 0.8;
  return 0;
}

function noteReading(token: NameToken, other: NameToken, first: boolean, readings: Set<string>): void {
  const written = token.written.toLowerCase();
  if (written !== token.word && written.length < token.word.length + 4) readings.add(`${token.written} → ${token.word}`);
  else if (first && token.word !== other.word && token.concept === other.concept && token.word !== other.written.toLowerCase()) readings.add(`${token.word} ≈ ${other.word}`);
}
