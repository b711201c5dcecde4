import { foldText } from '../fold-text.ts';

/** One place a name can stand for. */
export interface Place {
  readonly code: string;
  readonly name: string;
}

export type PlaceMatch =
  | { readonly kind: 'exact'; readonly place: Place }
  | { readonly kind: 'corrected'; readonly place: Place; readonly edits: number; readonly from: string }
  | { readonly kind: 'tied'; readonly places: readonly Place[] }
  | { readonly kind: 'none' };

/**
 * "New York", "N.Y.", "new-york" and "NewYork" share one key: folded, without
 * dots or apostrophes, "&" as "and", "Saint" as "St", and without spaces. Text with any other
 * sign ("N/A") has no key, so it can never match by accident.
 */
export function placeKey(text: string): string | null {
  const key = foldText(text).replace(/[.'‘’ʻ`]/g, '').replace(/&/g, ' and ').replace(/\bsaint\b/g, 'st').replace(/[\s,()_-]+/g, '');
  return /^[a-z0-9]+$/.test(key) ? key : null;
}

/** How many edits a misspelling of this length may have and still be read as a name. */
function allowedEdits(length: number): number {
  return length < 4 ? 0 : length === 4 ? 1 : length < 8 ? 2 : 3;
}

/**
 * Looks places up by every way of writing them, and reads misspellings of
 * their names: the closest name within a few edits (Damerau-Levenshtein) wins,
 * and only when no other place is nearly as close.
 */
export class PlaceIndex {
  private readonly exact = new Map<string, Place | null>();
  private readonly spellings: { readonly key: string; readonly place: Place }[] = [];

  /** `spelled` names are also read with spelling mistakes; short codes should not be. */
  add(place: Place, writings: readonly string[], spelled: readonly string[] = []): void {
    for (const writing of writings) {
      const key = placeKey(writing);
      if (key === null) continue;
      const known = this.exact.get(key);
      // A writing two places share (a name in one language, a code in another) names neither.
      this.exact.set(key, known === undefined || known?.code === place.code ? place : null);
    }
    for (const writing of spelled) {
      const key = placeKey(writing);
      if (key !== null && key.length >= 4) this.spellings.push({ key, place });
    }
  }

  lookup(key: string): PlaceMatch {
    const exact = this.exact.get(key);
    if (exact) return { kind: 'exact', place: exact };
    const limit = allowedEdits(key.length);
    if (limit === 0) return { kind: 'none' };
    // The nearest spelling of each place, looking one edit past the limit to see near rivals.
    const nearest = new Map<string, { readonly place: Place; readonly edits: number }>();
    for (const { key: known, place } of this.spellings) {
      if (Math.abs(known.length - key.length) > limit + 1) continue;
      const edits = editDistance(key, known, limit + 1);
      if (edits <= limit + 1 && edits < (nearest.get(place.code)?.edits ?? Infinity)) nearest.set(place.code, { place, edits });
    }
    const ranked = [...nearest.values()].sort((a, b) => a.edits - b.edits);
    const best = ranked[0];
    if (!best || best.edits > limit) return { kind: 'none' };
    // One edit is a slip; two or more only count when no other place is within one more edit.
    const rivals = ranked.filter((other) => other.edits === best.edits || (best.edits >= 2 && other.edits === best.edits + 1));
    if (rivals.length > 1) return { kind: 'tied', places: rivals.map((rival) => rival.place) };
    return { kind: 'corrected', place: best.place, edits: best.edits, from: key };
  }
}

/** Optimal string alignment distance, giving up (returning max + 1) once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}
