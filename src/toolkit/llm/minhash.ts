/**
 * MinHash signatures and locality-sensitive banding, for finding texts that
 * share most of their character 5-grams without comparing every pair.
 *
 * A text's signature is, for each of 64 seeded hash functions, the smallest
 * hash of its 5-grams; two signatures agree at a position with a probability
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

/** The 64 hash functions' seeds, drawn from `seed` so a run is reproducible. */
export function hashSeeds(seed: number): Int32Array {
  const seeds = new Int32Array(signatureLength);
  let state = seed | 0;
  for (let i = 0; i < signatureLength; i++) {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    seeds[i] = t ^ (t >>> 14);
  }
  return seeds;
}

/** The signature of a non-empty normalised text, written into `into`. */
export function minHashSignature(text: string, seeds: Int32Array, into: Int32Array): void {
  into.fill(0x7fffffff);
  const last = Math.max(0, text.length - shingleLength);
  for (let start = 0; start <= last; start++) {
    // FNV-1a of the 5-gram (or of the whole of a shorter text).
    let shingle = 0x811c9dc5 | 0;
    const end = Math.min(text.length, start + shingleLength);
    for (let i = start; i < end; i++) shingle = Math.imul(shingle ^ text.charCodeAt(i), 0x01000193);
    for (let h = 0; h < signatureLength; h++) {
      const value = mix(shingle ^ seeds[h]!);
      if (value < into[h]!) into[h] = value;
    }
  }
}

/** A 31-bit avalanche of a 32-bit value (the murmur3 finaliser). */
function mix(value: number): number {
  let h = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** The key of one band of a signature: its rows hashed together, with the band's number so bands never collide. */
export function bandKey(signature: Int32Array, band: number): number {
  let key = Math.imul(band + 1, 0x9e3779b1);
  for (let r = band * rows; r < (band + 1) * rows; r++) key = mix(key ^ signature[r]!) ^ Math.imul(key, 31);
  return key;
}

/** The share of positions where two signatures agree: an estimate of the texts' Jaccard similarity. */
export function estimatedSimilarity(a: Int32Array, b: Int32Array): number {
  let same = 0;
  for (let i = 0; i < signatureLength; i++) if (a[i] === b[i]) same++;
  return same / signatureLength;
}
