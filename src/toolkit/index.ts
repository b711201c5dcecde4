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
export { splitByTime, splitByGroup, splitStratified } from './ml/split-rows.ts';
export type { Split, TimeSplitOptions, GroupSplitOptions, StratifiedSplitOptions } from './ml/split-rows.ts';
export { seededFraction } from './ml/seeded-fraction.ts';
export { fitTransforms } from './ml/fit-transforms.ts';
export type { ColumnTransform, FittedColumn, FittedTransforms } from './ml/fit-transforms.ts';
export { applyTransforms } from './ml/apply-transforms.ts';
export { findLeaks, assertNoLeaks } from './ml/check-leakage.ts';
export type { Leak, LeakageOptions } from './ml/check-leakage.ts';
