import { type CleanedValue, type FlagCounts, countFlags, flagged, inputText } from '../cleaned-value.ts';
import { foldText } from '../fold-text.ts';
import { countries, countryAliases, missingMarkers, nameLanguages } from './countries.ts';
import { PlaceIndex, placeKey } from './place-index.ts';
import { describeMatch } from './parse-us-states.ts';

export interface ParseCountriesOptions {
  /** `alpha2` (default) gives "DE", `alpha3` "DEU", `name` "Germany". */
  readonly output?: 'alpha2' | 'alpha3' | 'name';
}

export interface ParsedCountries {
  readonly values: CleanedValue[];
  readonly report: { readonly counts: FlagCounts; readonly corrected: number; readonly columnHasMissingMarkers: boolean };
}

const byCode = new Map(countries.map((country) => [country.code, country]));
let index: PlaceIndex | undefined;
/** Short names people use for more than one country. */
const sharedNames: Readonly<Record<string, readonly string[]>> = { congo: ['CD', 'CG'], korea: ['KR', 'KP'], virginislands: ['VG', 'VI'] };

/** Built on first use: reading CLDR names in seven languages takes a few milliseconds. */
function countryIndex(): PlaceIndex {
  if (index) return index;
  index = new PlaceIndex();
  const languages = nameLanguages.map((language) => new Intl.DisplayNames([language], { type: 'region' }));
  for (const country of countries) {
    const names = languages.map((names) => names.of(country.code) ?? country.name);
    // "Myanmar (Burma)" is also written "Myanmar" and "Burma"; "Hong Kong SAR China" as "Hong Kong".
    const shortNames = names.flatMap((name) => {
      const bracket = /^(.*?)\s*\((.*)\)$/.exec(name);
      return bracket ? [bracket[1]!, bracket[2]!] : [];
    });
    const writings = [...new Set([...names, ...shortNames, ...(countryAliases[country.code] ?? [])])];
    index.add(country, [country.code, country.alpha3, ...writings], writings.filter((writing) => writing.length >= 5));
  }
  return index;
}

/**
 * Standardises countries written as ISO 3166 alpha-2 or alpha-3 codes, or as
 * names in English, French, German, Spanish, Italian, Portuguese or Dutch, in
 * any casing, or misspelt by a few letters. "NA" is Namibia unless the column
 * also writes missing values as "n/a", "none" or "unknown"; then it is flagged.
 * @example
 * parseCountries(['Deutschland', 'USA', 'united kingdom', 'Frnace']).values.map((r) => r.value);
 * // ['DE', 'US', 'GB', 'FR']
 */
export function parseCountries(inputs: readonly unknown[], options: ParseCountriesOptions = {}): ParsedCountries {
  const output = options.output ?? 'alpha2';
  const texts = inputs.map(inputText);
  const markers = new Set(missingMarkers);
  const columnHasMissingMarkers = texts.some((text) => text !== null && markers.has(foldText(text)));
  const seen = new Map<string, CleanedValue>();
  let corrected = 0;
  const values = texts.map((text) => {
    if (text === null) return { value: null };
    let result = seen.get(text);
    if (!result) {
      result = readCountry(text, columnHasMissingMarkers, output);
      seen.set(text, result);
    }
    if (result.reason && !result.flag) corrected++;
    return result;
  });
  return { values, report: { counts: countFlags(values), corrected, columnHasMissingMarkers } };
}

function readCountry(text: string, columnHasMissingMarkers: boolean, output: 'alpha2' | 'alpha3' | 'name'): CleanedValue {
  const key = placeKey(text);
  if (key === null) return flagged('unrecognised', `"${text}" is not a country`);
  const shared = sharedNames[key];
  if (shared) return flagged('ambiguous', `"${text}" could be ${shared.map((code) => byCode.get(code)!.name).join(' or ')}`);
  if (key === 'na' && columnHasMissingMarkers) return flagged('ambiguous', `"${text}" could be Namibia or "not available", and this column writes missing values as text`);
  const result = describeMatch(text, countryIndex().lookup(key), output === 'name' ? 'name' : 'code', 'a country');
  if (output !== 'alpha3' || result.value === null) return result;
  return { ...result, value: byCode.get(result.value)!.alpha3 };
}
