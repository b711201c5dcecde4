import { ConfigError } from '../../core/errors.ts';
import { type CleanedValue, type FlagCounts, countFlags, flagged } from '../cleaned-value.ts';
import { type CalendarDate, englishMonth, formatClock, formatDate, impossibleDateReason } from './calendar.ts';
import { type DateReading, type OrderReading, readDateValue } from './read-date-value.ts';
import type { TimeOfDay } from './read-time.ts';
import { type TimeZone, createTimeZone } from './zoned-time.ts';

export interface ParseDatesOptions {
  /** Only these layouts are accepted, e.g. `['DD/MM/YYYY', 'YYYY-MM-DD']`; see `dateFormats`. */
  readonly formats?: readonly string[];
  /** Settles "03/04/2024": true reads it as 3 April, false as 4 March. Without it the column decides. */
  readonly dayFirst?: boolean;
  /** IANA zone that values without a zone were written in; their times become UTC instants. */
  readonly timezone?: string;
  /** The day "yesterday" and "3 days ago" count from: the run's logical date, never the wall clock. */
  readonly relativeTo?: string | Date;
}

export type DayOrder = 'day-first' | 'month-first' | 'conflicting' | 'unknown';

export interface DateColumnReport {
  /** How many values were written in each layout ("MM/DD/YYYY or DD/MM/YYYY" for undecided ones). */
  readonly formats: Readonly<Record<string, number>>;
  /** Per numeric layout family ("/YYYY", ".YY"...), the order the column showed. */
  readonly dayOrder: Readonly<Record<string, DayOrder>>;
  readonly counts: FlagCounts;
}

export interface ParsedDates {
  /**
   * One result per input, in order. A value is `YYYY-MM-DD` for a day,
   * `YYYY-MM-DDTHH:mm:ss[.fff]` for a time in no known zone, and an ISO instant
   * ending in `Z` when the value (or the `timezone` option) fixes the zone.
   */
  readonly values: CleanedValue[];
  readonly report: DateColumnReport;
}

/** Every layout `formats` may list. */
export const dateFormats: readonly string[] = [
  ...['-', '/', '.'].map((s) => `YYYY${s}MM${s}DD`),
  ...['-', '/', '.'].flatMap((s) => ['YYYY', 'YY'].flatMap((y) => [`DD${s}MM${s}${y}`, `MM${s}DD${s}${y}`])),
  'YYYYMMDD', 'D MMMM YYYY', 'D MMMM YY', 'MMMM D YYYY', 'MMMM D YY', 'YYYY MMMM D', 'epoch_s', 'epoch_ms', 'relative', 'instant',
];

interface Evidence {
  dayFirst?: string;
  monthFirst?: string;
  /** A two-digit-year value like "99/12/31" that only reads with the year first. */
  yearFirst?: string;
}

/**
 * Parses a column of dates written every which way. The column's own
 * unambiguous values decide whether "03/04/2024" is day-first or month-first;
 * when they do not (or disagree), such values are flagged `ambiguous`, never guessed.
 * Impossible dates (30 February) are flagged `invalid`.
 * @example
 * const { values, report } = parseDates(['2024-03-05', '14/03/2024', '03/04/2024', 'yesterday'], { relativeTo: '2024-03-10' });
 * // values: 2024-03-05, 2024-03-14, 2024-04-03 (the column is day-first), 2024-03-09
 */
export function parseDates(inputs: readonly unknown[], options: ParseDatesOptions = {}): ParsedDates {
  const listed = options.formats ? checkedFormats(options.formats) : null;
  const zone = options.timezone ? createTimeZone(options.timezone) : null;
  const context = { today: options.relativeTo === undefined ? null : referenceDay(options.relativeTo, zone) };
  const readings = inputs.map((input) => readDateValue(input, context));
  const evidence = new Map<string, Evidence>();
  for (const reading of readings) if (reading.kind === 'order') noteEvidence(evidence, reading);
  const formats: Record<string, number> = {};
  const values = readings.map((reading) => {
    const { result, format } = resolve(reading, { listed, dayFirst: options.dayFirst, evidence, zone });
    if (format) formats[format] = (formats[format] ?? 0) + 1;
    return result;
  });
  const dayOrder = Object.fromEntries([...evidence].map(([key, found]) => [key, orderOf(found)]));
  return { values, report: { formats, dayOrder, counts: countFlags(values) } };
}

function checkedFormats(formats: readonly string[]): ReadonlySet<string> {
  const unknown = formats.filter((format) => !dateFormats.includes(format));
  if (unknown.length) {
    throw new ConfigError('toolkit.unknown_date_format', `unknown date format ${unknown.map((f) => `"${f}"`).join(', ')}; known formats: ${dateFormats.join(', ')}`);
  }
  return new Set(formats);
}

function referenceDay(relativeTo: string | Date, zone: TimeZone | null): CalendarDate {
  // A time without a zone would be read in the process's own zone, so it is refused rather than guessed.
  const zoned = typeof relativeTo === 'string' && /^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/.test(relativeTo);
  const day = typeof relativeTo === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(relativeTo);
  const at = relativeTo instanceof Date ? relativeTo : day ? new Date(`${relativeTo}T00:00:00Z`) : zoned ? new Date(relativeTo) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw new ConfigError('toolkit.bad_relative_to', `relativeTo "${String(relativeTo)}" is not a date; give YYYY-MM-DD or an ISO instant with its zone`);
  // A bare day is that day everywhere; an instant is the day it was in the column's zone.
  const local = zone && !day ? new Date(zone.toLocal(at.getTime())) : at;
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

function noteEvidence(evidence: Map<string, Evidence>, reading: OrderReading): void {
  if (reading.key.endsWith('YY') && !reading.key.endsWith('YYYY') && reading.first > 31) {
    const found = evidence.get(reading.key) ?? {};
    found.yearFirst ??= reading.text;
    evidence.set(reading.key, found);
    return;
  }
  const dayFirst = impossibleDateReason(reading.year, reading.second, reading.first) === null;
  const monthFirst = impossibleDateReason(reading.year, reading.first, reading.second) === null;
  if (dayFirst === monthFirst) {
    if (!evidence.has(reading.key)) evidence.set(reading.key, {});
    return;
  }
  const found = evidence.get(reading.key) ?? {};
  if (dayFirst) found.dayFirst ??= reading.text;
  else found.monthFirst ??= reading.text;
  evidence.set(reading.key, found);
}

function orderOf(found: Evidence): DayOrder {
  if ((found.dayFirst && found.monthFirst) || found.yearFirst) return 'conflicting';
  return found.dayFirst ? 'day-first' : found.monthFirst ? 'month-first' : 'unknown';
}

interface ResolveContext {
  readonly listed: ReadonlySet<string> | null;
  readonly dayFirst: boolean | undefined;
  readonly evidence: ReadonlyMap<string, Evidence>;
  readonly zone: TimeZone | null;
}

interface Resolved {
  readonly result: CleanedValue;
  readonly format: string | null;
}

function resolve(reading: DateReading, context: ResolveContext): Resolved {
  switch (reading.kind) {
    case 'empty':
      return { result: { value: null }, format: null };
    case 'flag':
      return { result: flagged(reading.flag, reading.reason), format: reading.format };
    case 'instant':
      if (context.listed && !context.listed.has(reading.format)) return notListed(reading.format, context.listed);
      return { result: { value: new Date(reading.epochMs).toISOString() }, format: reading.format };
    case 'date':
      if (context.listed && !context.listed.has(reading.format)) return notListed(reading.format, context.listed);
      return { result: withTime(reading.date, reading.time, context.zone), format: reading.format };
    case 'order':
      return resolveOrder(reading, context);
  }
}

function notListed(format: string, listed: ReadonlySet<string>): Resolved {
  return { result: flagged('unrecognised', `written as ${format}, which is not among the listed formats (${[...listed].join(', ')})`), format };
}

function resolveOrder(reading: OrderReading, context: ResolveContext): Resolved {
  let dayFirstAllowed = context.dayFirst !== false;
  let monthFirstAllowed = context.dayFirst !== true;
  if (context.listed) {
    dayFirstAllowed &&= context.listed.has(reading.dayFirstFormat);
    monthFirstAllowed &&= context.listed.has(reading.monthFirstFormat);
    if (!dayFirstAllowed && !monthFirstAllowed) return notListed(`${reading.dayFirstFormat} or ${reading.monthFirstFormat}`, context.listed);
  }
  const found = context.evidence.get(reading.key) ?? {};
  const order = orderOf(found);
  const decidedByOptions = context.dayFirst !== undefined || !(dayFirstAllowed && monthFirstAllowed);
  if (!decidedByOptions && order === 'day-first') monthFirstAllowed = false;
  if (!decidedByOptions && order === 'month-first') dayFirstAllowed = false;

  if (!decidedByOptions && found.yearFirst && reading.text !== found.yearFirst) {
    const reason = `"${reading.text}" could have its year first: the column has "${found.yearFirst}", which only reads that way; set dayFirst or formats`;
    return { result: flagged('ambiguous', reason), format: `${reading.monthFirstFormat} or ${reading.dayFirstFormat} (ambiguous)` };
  }
  const dayFirstProblem = impossibleDateReason(reading.year, reading.second, reading.first);
  const monthFirstProblem = impossibleDateReason(reading.year, reading.first, reading.second);
  const dayFirstDate = { year: reading.year, month: reading.second, day: reading.first };
  const monthFirstDate = { year: reading.year, month: reading.first, day: reading.second };
  if (dayFirstAllowed && monthFirstAllowed) {
    const both = `${reading.monthFirstFormat} or ${reading.dayFirstFormat}`;
    if (!dayFirstProblem && !monthFirstProblem) {
      if (reading.first === reading.second) return { result: withTime(dayFirstDate, reading.time, context.zone), format: both };
      const why = order === 'conflicting'
        ? `the column has day-first values ("${found.dayFirst}") and month-first values ("${found.monthFirst}")`
        : 'no value in the column has a day above 12 to settle the order; set dayFirst or formats';
      const reason = `"${reading.text}" could be ${describe(dayFirstDate)} or ${describe(monthFirstDate)}: ${why}`;
      return { result: flagged('ambiguous', reason), format: `${both} (ambiguous)` };
    }
    if (!dayFirstProblem) return { result: withTime(dayFirstDate, reading.time, context.zone), format: reading.dayFirstFormat };
    if (!monthFirstProblem) return { result: withTime(monthFirstDate, reading.time, context.zone), format: reading.monthFirstFormat };
    return { result: flagged('invalid', `"${reading.text}" is not a date read either way (${dayFirstProblem}; ${monthFirstProblem})`), format: both };
  }
  const format = dayFirstAllowed ? reading.dayFirstFormat : reading.monthFirstFormat;
  const problem = dayFirstAllowed ? dayFirstProblem : monthFirstProblem;
  const basis = decidedByOptions ? 'as the options say' : 'as the rest of the column is written';
  if (problem) return { result: flagged('invalid', `"${reading.text}" read as ${format} (${basis}): ${problem}`), format };
  return { result: withTime(dayFirstAllowed ? dayFirstDate : monthFirstDate, reading.time, context.zone), format };
}

function describe(date: CalendarDate): string {
  return `${date.day} ${englishMonth(date.month)} ${date.year}`;
}

function withTime(date: CalendarDate, time: TimeOfDay | null, zone: TimeZone | null): CleanedValue {
  if (!time) return { value: formatDate(date) };
  const fractionMs = time.fraction ? Math.round(Number(`0.${time.fraction}`) * 1000) : 0;
  const localMs = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute, time.second, fractionMs);
  if (time.offsetMinutes !== null) return { value: new Date(localMs - time.offsetMinutes * 60_000).toISOString() };
  if (!zone) {
    const clock = `${formatDate(date)}T${formatClock(time)}`;
    return { value: time.fraction ? `${clock}.${time.fraction}` : clock };
  }
  const instant = zone.toInstant(localMs);
  const written = new Date(localMs).toISOString().slice(0, 16).replace('T', ' ');
  switch (instant.kind) {
    case 'instant':
      return { value: new Date(instant.epochMs).toISOString() };
    case 'skipped':
      return flagged('invalid', `${written} does not exist in ${zone.name}: the clocks skip that hour`);
    case 'repeated':
      return flagged('ambiguous', `${written} happens twice in ${zone.name} (clocks go back), at ${new Date(instant.earlierMs).toISOString()} and ${new Date(instant.laterMs).toISOString()}`);
  }
}
