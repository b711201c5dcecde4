import { foldText } from '../fold-text.ts';

/**
 * The key two writings of one value share: case and accents folded, dots and
 * apostrophes dropped, any other sign a space, "and" (or "&") left out, spaces
 * collapsed. "Home & Garden", "home and garden", "Home/Garden" and
 * "HOME-AND-GARDEN" share `home garden`; "Kids' Toys" and "kids toys" share `kids toys`.
 */
export function dictionaryKey(text: string): string {
  return foldText(text)
    .replace(/[.'‘’`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/(^| )and(?= |$)/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** The key's words in alphabetical order, so "garden home" and "home garden" compare equal. */
export function sortedWords(key: string): string {
  return key.includes(' ') ? key.split(' ').sort().join(' ') : key;
}
