const slots = 4096;
const maxCachedBytes = 32;
const decoder = new TextDecoder();

/**
 * Turns UTF-8 bytes into strings, remembering the short ones it has seen.
 * Text columns often repeat a few values (names, codes, dates written as
 * text), and hashing a dozen bytes costs far less than decoding them into a
 * new string each time; a repeated value also comes back as the same string.
 * Keys are the bytes themselves, so a hit is always the right string.
 */
export class TextCache {
  private readonly hashes = new Int32Array(slots);
  /** Byte length of each slot's value; -1 for an empty slot. */
  private readonly lengths = new Int32Array(slots).fill(-1);
  private readonly bytes = new Uint8Array(slots * maxCachedBytes);
  private readonly strings: string[] = new Array<string>(slots).fill('');

  /** The string of `length` UTF-8 bytes of `source` from `offset`. */
  text(source: Uint8Array, offset: number, length: number): string {
    if (length > maxCachedBytes) return decoder.decode(source.subarray(offset, offset + length));
    let h = length | 0;
    for (let i = 0; i < length; i++) h = Math.imul(h ^ source[offset + i]!, 0x01000193);
    h ^= h >>> 15;
    const slot = h & (slots - 1);
    const at = slot * maxCachedBytes;
    const bytes = this.bytes;
    if (this.lengths[slot] === length && this.hashes[slot] === h) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (bytes[at + i] !== source[offset + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.strings[slot]!;
    }
    const value = decoder.decode(source.subarray(offset, offset + length));
    this.lengths[slot] = length;
    this.hashes[slot] = h;
    for (let i = 0; i < length; i++) bytes[at + i] = source[offset + i]!;
    this.strings[slot] = value;
    return value;
  }
}
