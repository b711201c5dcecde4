/** The toolkit: pure functions that clean columns and flag, with a reason, what they cannot decide. */
export type { CleanedValue, FlagCounts, ToolFlag } from './cleaned-value.ts';
export { parseDates, dateFormats } from './dates/parse-dates.ts';
export type { DateColumnReport, DayOrder, ParseDatesOptions, ParsedDates } from './dates/parse-dates.ts';
export { parsePhones } from './phones/parse-phones.ts';
export type { CleanedPhone, ParsePhonesOptions, ParsedPhones, PhoneType } from './phones/parse-phones.ts';
export { parseUsStates } from './places/parse-us-states.ts';
export type { ParseUsStatesOptions, ParsedUsStates } from './places/parse-us-states.ts';
export { parseCountries } from './places/parse-countries.ts';
export type { ParseCountriesOptions, ParsedCountries } from './places/parse-countries.ts';
export { standardize } from './dictionary/standardize.ts';
export type { StandardizeOptions, StandardizedValue, Standardized } from './dictionary/standardize.ts';
export type { DictionaryCandidate, DictionaryMatch } from './dictionary/dictionary-index.ts';
export { loadDictionary } from './dictionary/dictionary-file.ts';
export type { Dictionary, DictionaryEntry } from './dictionary/dictionary-file.ts';
export { recordDecisions } from './dictionary/record-decisions.ts';
export type { ReviewDecision } from './dictionary/record-decisions.ts';
