/**
 * A number in [0, 1) fixed by the seed and the key alone: the same seed and key
 * give the same number on every machine and every run, so a split made with it
 * is reproducible. (cyrb53: two 32-bit multiply-xorshift lanes, 53 bits kept.)
 */
export function seededFraction(seed: string | number, key: string): number {
  const text = `${String(seed)}\u0000${key}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)) / 2 ** 53;
}
