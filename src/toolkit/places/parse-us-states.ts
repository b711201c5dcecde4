import { type CleanedValue, type FlagCounts, countFlags, flagged, inputText } from '../cleaned-value.ts';
import { PlaceIndex, type PlaceMatch, placeKey } from './place-index.ts';
import { courtesyTitles, usStates } from './us-states.ts';

export interface ParseUsStatesOptions {
  /** `code` (default) gives "MS"; `name` gives "Mississippi". */
  readonly output?: 'code' | 'name';
}

export interface ParsedUsStates {
  readonly values: CleanedValue[];
  readonly report: { readonly counts: FlagCounts; readonly corrected: number; readonly columnHasTitles: boolean };
}

const index = new PlaceIndex();
for (const state of usStates) index.add(state, [state.code, state.name, ...state.aliases], [state.name, ...state.aliases.filter((alias) => alias.length >= 6)]);
const titleKeys = new Set(courtesyTitles);

/**
 * Standardises US states and territories written as names, codes, AP or GPO
 * abbreviations, in any casing, or misspelt by a few letters. A misspelling is
 * corrected only when one state is clearly nearest, and the result says so.
 * "Ms." and "Miss" are Mississippi unless the column also holds titles
 * (Mr., Dr., Mrs.), in which case they are flagged: the column decides.
 * @example
 * parseUsStates(['Calif.', 'new york', 'Missisippi', 'TX']).values.map((r) => r.value);
 * // ['CA', 'NY', 'MS', 'TX']
 */
export function parseUsStates(inputs: readonly unknown[], options: ParseUsStatesOptions = {}): ParsedUsStates {
  const texts = inputs.map(inputText);
  const keys = texts.map((text) => (text === null ? null : placeKey(text)));
  const titlesSeen = [...new Set(keys.filter((key): key is string => key !== null && titleKeys.has(key) && index.lookup(key).kind !== 'exact'))];
  const seen = new Map<string, CleanedValue>();
  let corrected = 0;
  const values = texts.map((text, i) => {
    if (text === null) return { value: null };
    let result = seen.get(text);
    if (!result) {
      result = readState(text, keys[i]!, titlesSeen, options.output ?? 'code');
      seen.set(text, result);
    }
    if (result.reason && !result.flag) corrected++;
    return result;
  });
  return { values, report: { counts: countFlags(values), corrected, columnHasTitles: titlesSeen.length > 0 } };
}

function readState(text: string, key: string | null, titlesSeen: readonly string[], output: 'code' | 'name'): CleanedValue {
  if (key === null) return flagged('unrecognised', `"${text}" is not a US state or territory`);
  if (titleKeys.has(key)) {
    const asState = index.lookup(key);
    if (asState.kind !== 'exact') return flagged('unrecognised', `"${text}" is a title, not a state`);
    if (titlesSeen.length) {
      const others = titlesSeen.map((title) => title.replace(/^./, (c) => c.toUpperCase())).join(', ');
      return flagged('ambiguous', `"${text}" could be ${asState.place.name} or a title, and this column holds titles (${others})`);
    }
  }
  return describeMatch(text, index.lookup(key), output, 'a US state or territory');
}

/** The cleaned value for a lookup, shared by the place tools. */
export function describeMatch(text: string, match: PlaceMatch, output: 'code' | 'name', what: string): CleanedValue {
  switch (match.kind) {
    case 'exact':
      return { value: output === 'code' ? match.place.code : match.place.name };
    case 'corrected':
      return {
        value: output === 'code' ? match.place.code : match.place.name,
        reason: `read "${text}" as ${match.place.name}, ${match.edits} letter${match.edits === 1 ? '' : 's'} apart`,
      };
    case 'tied':
      if (match.places.length > 3) return flagged('unrecognised', `"${text}" is not ${what}; the nearest are ${match.places.slice(0, 3).map((place) => place.name).join(', ')}`);
      return flagged('ambiguous', `"${text}" is as close to ${match.places.map((place) => place.name).join(' as to ')}`);
    case 'none':
      return flagged('unrecognised', `"${text}" is not ${what}`);
  }
}
