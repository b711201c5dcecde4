import { distance } from 'fastest-levenshtein';
import { type CleanedValue, type FlagCounts, countFlags, flagged, inputText } from '../cleaned-value.ts';
import { directionals, streetSuffixes, unitDesignators, wordIndex } from './street-words.ts';

export interface ParsedStreetAddresses {
  readonly values: CleanedValue[];
  readonly report: { readonly counts: FlagCounts; readonly corrected: number };
}

const suffixes = wordIndex(streetSuffixes);
const units = wordIndex(unitDesignators);
const directions = wordIndex(directionals);
/** Suffixes written out in full, long enough that one letter off is still that word (`Stret`, `Avenu`, `Bulevard`). */
const fullSuffixes = Object.entries(streetSuffixes).flatMap(([standard, others]) => (others[0] && others[0].length >= 5 ? [[others[0], standard] as const] : []));

/**
 * Standardises US street lines the USPS way: `123 north main street apt 4b`
 * becomes `123 N Main St Apt 4B`. Street suffixes (Street, Avenue,
 * Boulevard...), directionals before and after the street name and unit
 * designators (Apartment, Suite, #...) take their standard abbreviations, in
 * any casing, with or without dots; a suffix misspelt by one letter (`Stret`)
 * is corrected with a reason; a PO box is written `PO Box 12`. A word is only
 * read as a suffix or directional where it stands in the line, so `North St`
 * and `Park Ave` keep their names. A line without a house number or PO box is
 * flagged, not guessed. Equal inputs are worked out once.
 * @example
 * parseStreetAddresses(['123 north main street apt 4b', '9 W. 5TH AVE., STE. 200', 'p.o. box 77']).values.map((r) => r.value);
 * // ['123 N Main St Apt 4B', '9 W 5th Ave Ste 200', 'PO Box 77']
 */
export function parseStreetAddresses(inputs: readonly unknown[]): ParsedStreetAddresses {
  const seen = new Map<string, CleanedValue>();
  let corrected = 0;
  const values = inputs.map((input) => {
    const text = inputText(input);
    if (text === null) return { value: null };
    let result = seen.get(text);
    if (!result) {
      result = readStreetLine(text);
      seen.set(text, result);
    }
    if (result.reason && !result.flag) corrected++;
    return result;
  });
  return { values, report: { counts: countFlags(values), corrected } };
}

function readStreetLine(text: string): CleanedValue {
  // Commas and dots separate nothing a standard line keeps; `#12` is the unit sign and its number.
  const words = splitWords(text);
  // Only a line not starting with a digit can be a PO box.
  const box = words[0] && !/^\d/.test(words[0]) ? poBox(words) : undefined;
  if (box) return box;
  const number = words[0];
  if (!number || !/^\d+[A-Za-z]?(?:[-/]\d+[A-Za-z]?)?$/.test(number)) return flagged('unrecognised', `"${text}" has no house number or PO box`);
  const unitAt = words.findIndex((_, i) => i > 1 && startsUnit(words, i));
  const street = words.slice(1, unitAt < 0 ? undefined : unitAt);
  if (!street.length) return flagged('unrecognised', `"${text}" has no street name`);
  const read = readStreet(street);
  const unit = unitAt < 0 ? [] : readUnit(words.slice(unitAt));
  const value = [number.toUpperCase(), ...read.words, ...unit].join(' ');
  return read.corrected ? { value, reason: `read "${read.corrected}" as ${read.correctedAs}` } : { value };
}

/** The words of a line: commas and semicolons separate, dots ending a word go, `#12` is the unit sign and its number. */
function splitWords(text: string): string[] {
  const plain = /[^\S ]/.test(text) ? text.replace(/\s/g, ' ') : text;
  const spaced = /[,;#]/.test(plain) ? plain.replace(/[,;]/g, ' ').replace(/# */g, ' # ') : plain;
  const words: string[] = [];
  for (const token of spaced.split(' ')) {
    if (!token) continue;
    const word = token.endsWith('.') ? token.replace(/\.+$/, '') : token;
    if (word) words.push(word);
  }
  return words;
}

/** `P.O. Box 12`, `PO BOX 12`, `Post Office Box 12`, `Box 12` as `PO Box 12`. */
function poBox(words: readonly string[]): CleanedValue | undefined {
  const lower = words.map(key);
  let at = 0;
  if (lower[0] === 'po' || lower[0] === 'p') at = lower[0] === 'p' && lower[1] === 'o' ? 2 : 1;
  else if (lower[0] === 'post' && lower[1] === 'office') at = 2;
  if (lower[at] !== 'box' || !words[at + 1] || !/^\d+$/.test(words[at + 1]!) || words.length !== at + 2) return undefined;
  return { value: `PO Box ${words[at + 1]}` };
}

function readStreet(street: readonly string[]): { words: string[]; corrected?: string; correctedAs?: string } {
  let end = street.length;
  // A directional after a suffix (`Main St NW`) is the post-directional.
  const post = end >= 3 && directions.has(key(street[end - 1]!)) && suffixOf(street[end - 2]!) ? directions.get(key(street[--end]!))! : undefined;
  let suffix: string | undefined;
  let corrected: { word: string; as: string } | undefined;
  if (end >= 2) {
    const last = street[end - 1]!;
    suffix = suffixOf(last);
    if (!suffix) {
      const near = misspeltSuffix(last);
      if (near) corrected = { word: last, as: (suffix = near) };
    }
    if (suffix) end--;
  }
  // A directional first, with a name after it, is the pre-directional; alone before a suffix it is the name (`North St`).
  const pre = end >= 2 && directions.has(key(street[0]!)) ? directions.get(key(street[0]!))! : undefined;
  const name = street.slice(pre ? 1 : 0, end).map(nameWord);
  const words = [...(pre ? [pre] : []), ...name, ...(suffix ? [suffix] : []), ...(post ? [post] : [])];
  return corrected ? { words, corrected: corrected.word, correctedAs: corrected.as } : { words };
}

/** Designators that stand alone, at the end of a line (`Rear`); the others take a number or letter after them (`Apt 4B`). */
const standalone = new Set(['Bsmt', 'Frnt', 'Lbby', 'Ph']);

/**
 * Whether the unit part starts at word `i`: `#`, or a designator where a unit
 * stands, so `123 Post Office Rd` keeps its name.
 */
function startsUnit(words: readonly string[], i: number): boolean {
  if (words[i] === '#') return true;
  const designator = units.get(key(words[i]!));
  if (!designator) return false;
  const next = words[i + 1];
  if (next === undefined) return standalone.has(designator);
  return /^(?:[A-Za-z]?\d[\w-]*|[A-Za-z])$/.test(next);
}

/** The unit part (`Building 2, Floor 3`): each designator abbreviated, each number or letter in capitals. */
function readUnit(unit: readonly string[]): string[] {
  return unit.map((word) => (word === '#' ? '#' : (units.get(key(word)) ?? word.toUpperCase())));
}

function suffixOf(word: string): string | undefined {
  return suffixes.get(key(word));
}

/** The suffix a word of five letters or more is one letter off from, when exactly one is. */
function misspeltSuffix(word: string): string | undefined {
  const lower = key(word);
  if (lower.length < 5 || !/^[a-z]+$/.test(lower)) return undefined;
  const near = fullSuffixes.filter(([full]) => Math.abs(full.length - lower.length) <= 1 && distance(full, lower) === 1);
  return near.length === 1 ? near[0]![1] : undefined;
}

/** A word of the street name: written in capitals or in lower case, it is cased as a name (`5TH` as `5th`, `MAIN` as `Main`); mixed case is kept (`McDonald`). */
function nameWord(word: string): string {
  if (word !== word.toUpperCase() && word !== word.toLowerCase()) return word;
  const lower = word.toLowerCase();
  if (/^\d/.test(word)) return lower;
  const capital = lower.charAt(0).toUpperCase() + lower.slice(1);
  return /[-']/.test(lower) ? capital.replace(/([-'])(\p{L})/gu, (_, sign: string, letter: string) => sign + letter.toUpperCase()) : capital;
}

function key(word: string): string {
  const lower = word.toLowerCase();
  return lower.includes('.') ? lower.replace(/\./g, '') : lower;
}
