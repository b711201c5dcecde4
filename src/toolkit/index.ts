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
export { findDuplicates } from './dedupe/find-duplicates.ts';
export type { DedupeReport, FoundDuplicates, ScoredPair } from './dedupe/find-duplicates.ts';
export type { DedupeOptions, MatchColumn } from './dedupe/dedupe-settings.ts';
export { jaroWinkler, levenshteinSimilarity, normaliseForMatching, similarities, tokenJaccard } from './dedupe/similarity.ts';
export type { Similarity } from './dedupe/similarity.ts';
