/** How well a query matches a text, and which characters of the text matched (for highlighting). */
export interface FuzzyMatch {
  readonly score: number;
  readonly at: readonly number[];
}

/** A letter or digit before `i` means `i` is inside a word; anything else (or nothing) starts one. */
function wordStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const c = text.charCodeAt(i - 1) | 0x20;
  return !((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39));
}

/**
 * Matches the query's characters in order anywhere in the text, case
 * insensitive; words of the query match each on its own, in any order:
 * `shp ord` finds `shop › orders`, `failed shop` a run of shop that failed.
 * A run of adjacent characters, a word start and a short text score higher;
 * a whole substring scores highest. Undefined when some word does not match.
 */
export function fuzzyMatch(query: string, text: string): FuzzyMatch | undefined {
  const words = query.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { score: 0, at: [] };
  let score = 0;
  const at = new Set<number>();
  for (const word of words) {
    const found = matchWord(word, text);
    if (!found) return undefined;
    score += found.score;
    for (const i of found.at) at.add(i);
  }
  return { score, at: [...at].sort((a, b) => a - b) };
}

function matchWord(word: string, text: string): FuzzyMatch | undefined {
  const wanted = word.toLowerCase();
  const hay = text.toLowerCase();
  const whole = hay.indexOf(wanted);
  if (whole >= 0) {
    const at = Array.from(wanted, (_, i) => whole + i);
    return { score: 1000 + (wordStart(text, whole) ? 200 : 0) - whole - text.length, at };
  }
  const at: number[] = [];
  let score = 0;
  let from = 0;
  for (const char of wanted) {
    // Prefer the character at a word start over its first appearance, so `so` finds `shop orders`' s and o of words.
    let i = hay.indexOf(char, from);
    if (i < 0) return undefined;
    const last = at[at.length - 1];
    if (last === undefined || i !== last + 1) {
      for (let j = i; j >= 0 && j < hay.length; j = hay.indexOf(char, j + 1)) {
        if (wordStart(text, j)) {
          i = j;
          break;
        }
      }
    }
    const previous = at[at.length - 1];
    score += previous !== undefined && i === previous + 1 ? 15 : wordStart(text, i) ? 10 : 1;
    if (previous !== undefined) score -= Math.min(i - previous - 1, 10);
    at.push(i);
    from = i + 1;
  }
  return { score: score * 10 - text.length, at };
}
