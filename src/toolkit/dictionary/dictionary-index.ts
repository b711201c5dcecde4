import { distance } from 'fastest-levenshtein';
import { editDistance } from '../places/place-index.ts';
import type { Dictionary } from './dictionary-file.ts';
import { dictionaryKey, sortedWords } from './dictionary-key.ts';

/** How a value was found: as written (`exact`: a canonical value, `variant`, `reviewed`), by its key (`folded`), or by similarity (`fuzzy`). */
export type DictionaryMatch = 'exact' | 'variant' | 'reviewed' | 'folded' | 'fuzzy';

/** A canonical value a value may stand for, and how similar the two are (0 to 1). */
export interface DictionaryCandidate {
  readonly value: string;
  readonly score: number;
}

/** A known writing: the canonical value it stands for (null: reviewed as none), and how it is known. */
interface Known {
  readonly canonical: string | null;
  readonly match: DictionaryMatch;
}

interface Spelling {
  readonly key: string;
  readonly sorted: string;
  readonly canonical: string;
}

/** Levenshtein distance, lowered by any swapped letters when there are few edits to explain (swaps only matter then). */
function edits(a: string, b: string): number {
  const levenshtein = distance(a, b);
  return levenshtein < 2 || levenshtein > 4 ? levenshtein : editDistance(a, b, levenshtein);
}

/** Candidates scoring under this are not worth a reviewer's time. */
export const candidateFloor = 0.5;
/** A key this short is too short to judge by similarity: one letter off is a different word ("tea", "tee"). */
export const shortestFuzzyKey = 4;

/**
 * A dictionary's writings, ready to look values up: by the text as written,
 * by its key, then by similarity to every key.
 */
export class DictionaryIndex {
  private readonly written = new Map<string, Known>();
  private readonly keyed = new Map<string, Known>();
  private readonly spellings: Spelling[] = [];
  private readonly spelled = new Set<string>();

  constructor(readonly dictionary: Dictionary) {
    const add = (writing: string, known: Known): void => {
      if (!this.written.has(writing)) this.written.set(writing, known);
      const key = dictionaryKey(writing);
      if (key !== '' && !this.keyed.has(key)) this.keyed.set(key, { ...known, match: known.match === 'reviewed' ? 'reviewed' : 'folded' });
      if (known.canonical !== null && key.length > 0 && !this.spelled.has(key)) {
        this.spelled.add(key);
        this.spellings.push({ key, sorted: sortedWords(key), canonical: known.canonical });
      }
    };
    for (const { canonical } of dictionary.entries) add(canonical, { canonical, match: 'exact' });
    for (const { canonical, variants } of dictionary.entries) for (const variant of variants) add(variant, { canonical, match: 'variant' });
    for (const [value, canonical] of dictionary.reviewed) add(value, { canonical, match: 'reviewed' });
  }

  /** The writing as written, or by its key. */
  known(text: string, key: string): Known | undefined {
    return this.written.get(text) ?? this.keyed.get(key);
  }

  /**
   * Each canonical value's best similarity to the key, best first, down to
   * `candidateFloor`. Similarity is 1 - (edit distance / longer length),
   * taken on the keys and on their words sorted, whichever is higher, so a
   * reordering ("Garden Home") costs nothing. The distance is Levenshtein's,
   * and for a pair a few edits apart, the optimal string alignment distance,
   * which counts two swapped letters ("Electornics") as one edit, not two.
   */
  candidates(key: string): DictionaryCandidate[] {
    const sorted = sortedWords(key);
    const best = new Map<string, number>();
    for (const spelling of this.spellings) {
      const longer = Math.max(key.length, spelling.key.length);
      // Distance is at least the difference in length: skip what cannot reach the floor.
      if (1 - Math.abs(key.length - spelling.key.length) / longer < candidateFloor) continue;
      let score = 1 - edits(key, spelling.key) / longer;
      if (sorted !== key || spelling.sorted !== spelling.key) score = Math.max(score, 1 - edits(sorted, spelling.sorted) / longer);
      if (score >= candidateFloor && score > (best.get(spelling.canonical) ?? -1)) best.set(spelling.canonical, score);
    }
    return [...best].map(([value, score]) => ({ value, score: Math.round(score * 1000) / 1000 })).sort((a, b) => b.score - a.score || a.value.localeCompare(b.value));
  }
}
