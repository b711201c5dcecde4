import { createRequire } from 'node:module';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';
import { ConfigError } from '../../core/errors.ts';
import { type CleanedValue, type FlagCounts, countFlags, flagged, inputText } from '../cleaned-value.ts';
import { type PhoneMetadata, createFastPhoneReader } from './fast-phone-reader.ts';
import type { PhoneType } from './phone-type.ts';

export type { PhoneType } from './phone-type.ts';

export interface ParsePhonesOptions {
  /** ISO 3166 alpha-2 region that numbers written without a country code belong to, e.g. "US". */
  readonly defaultRegion?: string;
}

/** A cleaned phone number: `value` is E.164 ("+14155550123"), with its region, type and any extension. */
export interface CleanedPhone extends CleanedValue {
  readonly region?: string;
  readonly type?: PhoneType;
  readonly extension?: string;
}

export interface ParsedPhones {
  readonly values: CleanedPhone[];
  readonly report: { readonly counts: FlagCounts; readonly regions: Readonly<Record<string, number>>; readonly types: Readonly<Record<string, number>> };
}

type PhoneLibrary = typeof import('libphonenumber-js/max');
let library: PhoneLibrary | undefined;
let readFast: ReturnType<typeof createFastPhoneReader> | undefined;

/** Loaded on first use: its metadata is large, and most blocks that import the package never read a phone number. */
function phoneLibrary(): PhoneLibrary {
  library ??= createRequire(import.meta.url)('libphonenumber-js/max') as PhoneLibrary;
  return library;
}

function fastReader(): ReturnType<typeof createFastPhoneReader> {
  if (!readFast) {
    const require = createRequire(import.meta.url);
    // The same metadata the library's max build reads, through its core Metadata class.
    const { Metadata } = require('libphonenumber-js/core') as { Metadata: new (json: unknown) => unknown };
    readFast = createFastPhoneReader(new Metadata(require('libphonenumber-js/max/metadata')) as PhoneMetadata);
  }
  return readFast;
}

const lengthProblems: Readonly<Record<string, string>> = {
  TOO_SHORT: 'has too few digits',
  TOO_LONG: 'has too many digits',
  INVALID_LENGTH: 'has a number of digits no number there has',
  NOT_A_NUMBER: 'is not a phone number',
  INVALID_COUNTRY: 'has no country code this tool knows',
};

/**
 * Turns phone numbers written every which way into E.164, with the region and
 * type (mobile, fixed line...) from the maintained libphonenumber metadata.
 * A number that no region's plan allows is flagged `invalid` with the reason;
 * a number without a country code and no `defaultRegion` is flagged `ambiguous`.
 * Equal inputs are worked out once, so columns that repeat numbers go faster.
 * @example
 * parsePhones(['(415) 555-2671', '+44 20 7946 0958'], { defaultRegion: 'US' }).values[0];
 * // { value: '+14155552671', region: 'US', type: 'fixed_line_or_mobile' }
 */
export function parsePhones(inputs: readonly unknown[], options: ParsePhonesOptions = {}): ParsedPhones {
  const region = options.defaultRegion === undefined ? undefined : checkedRegion(options.defaultRegion);
  const seen = new Map<string, CleanedPhone>();
  const regions: Record<string, number> = {};
  const types: Record<string, number> = {};
  const values = inputs.map((input) => {
    const text = inputText(input);
    if (text === null) return { value: null };
    let result = seen.get(text);
    if (!result) {
      result = parsePhone(text, region);
      if (seen.size < 100_000) seen.set(text, result);
    }
    if (result.region) regions[result.region] = (regions[result.region] ?? 0) + 1;
    if (result.type) types[result.type] = (types[result.type] ?? 0) + 1;
    return result;
  });
  return { values, report: { counts: countFlags(values), regions, types } };
}

function checkedRegion(region: string): CountryCode {
  const upper = region.toUpperCase();
  if (!phoneLibrary().isSupportedCountry(upper)) throw new ConfigError('toolkit.unknown_region', `defaultRegion "${region}" is not a region with a phone numbering plan; use an ISO 3166 alpha-2 code such as "US"`);
  return upper;
}

function parsePhone(text: string, region: CountryCode | undefined): CleanedPhone {
  const fast = fastReader()(text, region);
  if (fast) return fast;
  const { ParseError, parsePhoneNumberWithError, validatePhoneNumberLength } = phoneLibrary();
  if (!/\d/.test(text)) return flagged('unrecognised', `"${text}" has no digits`);
  let number: PhoneNumber;
  try {
    number = parsePhoneNumberWithError(text, { defaultCountry: region, extract: false });
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    if (error.message === 'INVALID_COUNTRY' && !region) {
      return flagged('ambiguous', `"${text}" has no country code; give defaultRegion to say where numbers without one belong`);
    }
    return flagged(error.message === 'NOT_A_NUMBER' ? 'unrecognised' : 'invalid', `"${text}" ${lengthProblems[error.message] ?? 'is not a phone number'}`);
  }
  // getType() is undefined for a number outside every range; asking it first spares a second pass over the ranges.
  const numberType = number.getType();
  if (numberType === undefined && !number.isValid()) {
    const problem = validatePhoneNumberLength(text, { defaultCountry: region });
    const where = number.country ?? `+${number.countryCallingCode}`;
    const reason = problem ? `"${text}" ${lengthProblems[problem]} for ${where}` : `"${text}" is not a number in use in ${where}: no numbering range there holds it`;
    return flagged('invalid', reason);
  }
  const type = (numberType?.toLowerCase() ?? 'unknown') as PhoneType;
  return {
    value: number.number,
    region: number.country ?? `+${number.countryCallingCode}`,
    type,
    ...(number.ext ? { extension: number.ext } : {}),
  };
}
