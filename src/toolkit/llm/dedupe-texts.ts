import { bandKey, bands, estimatedSimilarity, hashFunctions, minHashSignature, signatureLength } from './minhash.ts';

export interface DedupeTextsOptions {
  /**
   * Also remove texts this similar to an earlier kept one: the share (0 to 1) of
   * their character 5-grams in common, as MinHash estimates it (0.7 catches a
   * changed word in a sentence of eighteen words). Without it only texts that normalise
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
 * any other change keeps both. The first of each kind is kept. Only a 106-bit
 * hash of each kind (and, with `similarity`, a 256-byte signature of each kept
 * text) is held, not its text, so large columns fit.
 *
 * ```ts
 * const { duplicateOf, report } = dedupeTexts(['Hello, world!', 'hello world', 'Hello there']);
 * // duplicateOf -> [null, 0, null]; report -> { values: 3, kept: 2, removed: 1 }
 * const refunds = 'Refunds are paid back to the original card within five to seven business days of the return arriving.';
 * dedupeTexts([refunds, refunds.replace('business', 'working')], { similarity: 0.7 }).duplicateOf;
 * // -> [null, 0]
 * ```
 */
export function dedupeTexts(values: readonly unknown[], options: DedupeTextsOptions = {}): DedupedTexts {
  const { similarity } = options;
  if (similarity !== undefined && !(similarity > 0 && similarity <= 1)) throw new RangeError(`similarity must be above 0 and at most 1 (got ${similarity})`);
  const near = similarity === undefined ? undefined : nearTexts(similarity, options.seed ?? 1);
  const kinds = new TextKinds(values.length);
  let removed = 0;
  const duplicateOf = values.map((value, i) => {
    hashText(value);
    const first = kinds.find(hashed.high, hashed.low) ?? near?.(normalWords(value), i);
    if (first !== undefined) {
      removed++;
      return first;
    }
    kinds.add(hashed.high, hashed.low, i);
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
  const functions = hashFunctions(seed);
  // Kept texts by the order they were kept: their positions, and their signatures end to end.
  const positions: number[] = [];
  let held = new Int32Array(signatureLength * 1024);
  const firstWithBand = new Map<number, number>();
  const signature = new Int32Array(signatureLength);
  const keys = new Int32Array(bands);
  return (words, position) => {
    if (words === '') return undefined;
    minHashSignature(words, functions, signature);
    let found: number | undefined;
    for (let band = 0; band < bands; band++) {
      keys[band] = bandKey(signature, band);
      const kept = firstWithBand.get(keys[band]!);
      if (kept !== undefined && (found === undefined || kept < found) && estimatedSimilarity(signature, held, kept * signatureLength) >= similarity) found = kept;
    }
    if (found !== undefined) return positions[found];
    const kept = positions.length;
    if ((kept + 1) * signatureLength > held.length) {
      const grown = new Int32Array(held.length * 2);
      grown.set(held);
      held = grown;
    }
    held.set(signature, kept * signatureLength);
    positions.push(position);
    for (const key of keys) if (!firstWithBand.has(key)) firstWithBand.set(key, kept);
    return undefined;
  };
}

/** The words of a text in the form compared: Unicode NFKC, lower case, letters and digits, single spaces. Objects (chat messages) are read as their JSON. */
function normalWords(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // ASCII text is its own NFKC form.
  return (asciiText.test(text) ? text : text.normalize('NFKC')).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

// eslint-disable-next-line no-control-regex
const asciiText = /^[\x00-\x7F]*$/;

/**
 * The first text of each kind, by the two halves of its hash: the first half
 * finds it in a map of numbers, the second (held in a typed array) confirms
 * it, and the rare texts whose first halves collide go to a map of both.
 */
class TextKinds {
  private readonly byHigh = new Map<number, number>();
  private readonly lowOf: Float64Array;
  private readonly byBoth = new Map<string, number>();

  constructor(size: number) {
    this.lowOf = new Float64Array(size);
  }

  find(high: number, low: number): number | undefined {
    const first = this.byHigh.get(high);
    if (first === undefined || this.lowOf[first] === low) return first;
    return this.byBoth.get(`${high}:${low}`);
  }

  add(high: number, low: number, position: number): void {
    if (this.byHigh.has(high)) this.byBoth.set(`${high}:${low}`, position);
    else {
      this.byHigh.set(high, position);
      this.lowOf[position] = low;
    }
  }
}

/** The hash two texts share when they differ only in case, punctuation, white space or Unicode form. */
export function textKey(value: unknown): string {
  hashText(value);
  return `${hashed.high.toString(36)}:${hashed.low.toString(36)}`;
}

/** The last text's hash, in two 53-bit halves (kept here so hashing a text allocates nothing). */
const hashed = { high: 0, low: 0 };

function hashText(value: unknown): void {
  if (typeof value === 'string' && asciiText.test(value)) compactHash(value, true);
  else compactHash(normalWords(value), false);
}

/**
 * A 106-bit hash of normalised words with their spaces left out (two 53-bit
 * halves, cyrb53's mixing with two seeds), into `hashed`: a million kinds
 * collide with a chance of about one in 10^19. ASCII text is hashed as it
 * stands, `fold` lower-casing it and passing over all but letters and digits on
 * the way, which is what normalising would leave of it.
 */
function compactHash(words: string, fold: boolean): void {
  let a1 = 0xdeadbeef;
  let b1 = 0x41c6ce57;
  let a2 = 0x9e3779b9;
  let b2 = 0x85ebca6b;
  for (let i = 0; i < words.length; i++) {
    let unit = words.charCodeAt(i);
    if (fold) {
      if (unit >= 0x41 && unit <= 0x5a) unit |= 0x20;
      else if (!((unit >= 0x61 && unit <= 0x7a) || (unit >= 0x30 && unit <= 0x39))) continue;
    } else if (unit === 0x20) continue;
    a1 = Math.imul(a1 ^ unit, 2654435761);
    b1 = Math.imul(b1 ^ unit, 1597334677);
    a2 = Math.imul(a2 ^ unit, 2246822507);
    b2 = Math.imul(b2 ^ unit, 3266489909);
  }
  hashed.high = half(a1, b1);
  hashed.low = half(a2, b2);
}

function half(a: number, b: number): number {
  let h1 = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  let h2 = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  h1 >>>= 0;
  h2 >>>= 0;
  return 4294967296 * (2097151 & h2) + h1;
}
