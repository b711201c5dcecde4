/**
 * MinHash signatures and locality-sensitive banding, for finding texts that
 * share most of their character 5-grams without comparing every pair.
 *
 * A text's signature is, for each of 64 seeded hash functions, the smallest
 * hash of its 5-grams (each 5-gram is hashed once, then mapped by each function); two signatures agree at a position with a probability
 * equal to the Jaccard similarity of the texts' 5-gram sets, so the share of
 * positions that agree estimates it. The signature is cut into 16 bands of 4;
 * texts with an equal band become candidates. A pair at similarity 0.8 shares
 * some band with a probability of 0.9998, at 0.5 with 0.64, at 0.2 with 0.03,
 * so near-identical texts meet and dissimilar ones rarely do.
 */
export const signatureLength = 64;
export const bands = 16;
const rows = signatureLength / bands;
const shingleLength = 5;

/**
 * The 64 hash functions, drawn from `seed` so a run is reproducible: each
 * maps a 5-gram's mixed hash x to a x + b (mod 2^32) with an odd a, a
 * permutation of 32-bit values, so the smallest of a text's is a min-hash.
 */
export interface HashFunctions {
  readonly multipliers: Int32Array;
  readonly offsets: Int32Array;
}

export function hashFunctions(seed: number): HashFunctions {
  const multipliers = new Int32Array(signatureLength);
  const offsets = new Int32Array(signatureLength);
  let state = seed | 0;
  const draw = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return t ^ (t >>> 14);
  };
  for (let i = 0; i < signatureLength; i++) {
    multipliers[i] = draw() | 1;
    offsets[i] = draw();
  }
  return { multipliers, offsets };
}

const shingleHashes = new Int32Array(4096);

/** The signature of a non-empty normalised text, written into `into`. */
export function minHashSignature(text: string, functions: HashFunctions, into: Int32Array): void {
  const count = Math.max(1, text.length - shingleLength + 1);
  const hashes = count <= shingleHashes.length ? shingleHashes : new Int32Array(count);
  for (let start = 0; start < count; start++) {
    // FNV-1a of the 5-gram (or of the whole of a shorter text), then mixed.
    let shingle = 0x811c9dc5 | 0;
    const end = Math.min(text.length, start + shingleLength);
    for (let i = start; i < end; i++) shingle = Math.imul(shingle ^ text.charCodeAt(i), 0x01000193);
    hashes[start] = mix(shingle);
  }
  const { multipliers, offsets } = functions;
  for (let h = 0; h < signatureLength; h++) {
    const a = multipliers[h]!;
    const b = offsets[h]!;
    let least = 0x7fffffff;
    for (let s = 0; s < count; s++) {
      const value = (Math.imul(hashes[s]!, a) + b) | 0;
      if (value < least) least = value;
    }
    into[h] = least;
  }
}

/** A 32-bit avalanche of a 32-bit value (the murmur3 finaliser). */
function mix(value: number): number {
  let h = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The key of one band of a signature: its rows hashed together with the band's
 * number, in 30 bits, a number V8 holds without boxing. Keys that collide only
 * make a candidate, which the signatures then settle.
 */
export function bandKey(signature: Int32Array, band: number): number {
  let key = Math.imul(band + 1, 0x9e3779b1);
  for (let r = band * rows; r < (band + 1) * rows; r++) key = mix(key ^ signature[r]!) ^ Math.imul(key, 31);
  return key & 0x3fffffff;
}

/** The share of positions where two signatures agree (the second held in `held` from `at`): an estimate of the texts' Jaccard similarity. */
export function estimatedSimilarity(a: Int32Array, held: Int32Array, at: number): number {
  let same = 0;
  for (let i = 0; i < signatureLength; i++) if (a[i] === held[at + i]) same++;
  return same / signatureLength;
}
