import type { ToolFlag } from '../cleaned-value.ts';
import { type CalendarDate, englishMonth, expandTwoDigitYear, impossibleDateReason, weekdayOf } from './calendar.ts';
import { foldText } from '../fold-text.ts';
import { englishWeekdayNames, isJoiningWord, monthByName, weekdayByName } from './date-words.ts';
import { readRelative, resolveRelative } from './relative-dates.ts';
import { type TimeOfDay, readTime } from './read-time.ts';

/**
 * What one value says on its own, before the column has a say. A value such as
 * "03/04/2024" reads as day-first or month-first; which one is decided from the
 * other values of its column, so it stays an `order` reading until then.
 */
export type DateReading =
  | { readonly kind: 'empty' }
  | { readonly kind: 'date'; readonly format: string; readonly date: CalendarDate; readonly time: TimeOfDay | null }
  | { readonly kind: 'instant'; readonly format: string; readonly epochMs: number }
  | OrderReading
  | { readonly kind: 'flag'; readonly format: string | null; readonly flag: ToolFlag; readonly reason: string };

export interface OrderReading {
  readonly kind: 'order';
  /** Values sharing a key (the separator and year width) settle each other's order. */
  readonly key: string;
  readonly dayFirstFormat: string;
  readonly monthFirstFormat: string;
  readonly first: number;
  readonly second: number;
  readonly year: number;
  readonly time: TimeOfDay | null;
  readonly text: string;
}

export interface ReadContext {
  /** The day relative expressions count from, or null when the caller gave none. */
  readonly today: CalendarDate | null;
}

const epochSecondsPattern = /^-?\d{9,10}(?:\.\d{1,6})?$/;
const epochMillisecondsPattern = /^-?\d{12,13}$/;
const compactPattern = /^(\d{4})(\d{2})(\d{2})$/;
const yearFirstPattern = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const yearLastPattern = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$/;
const timeStart = /\d{1,2}:\d{2}/;
const dateTail = /(?:[\sT,]|\bat\b|\bum\b|\ba las\b)+$/i;

function flag(flagName: ToolFlag, reason: string, format: string | null = null): DateReading {
  return { kind: 'flag', format, flag: flagName, reason };
}

export function readDateValue(input: unknown, context: ReadContext): DateReading {
  if (input instanceof Date) {
    const epochMs = input.getTime();
    return Number.isNaN(epochMs) ? flag('invalid', 'the value is an invalid Date object', 'instant') : { kind: 'instant', format: 'instant', epochMs };
  }
  if (input === null || input === undefined) return { kind: 'empty' };
  const text = (typeof input === 'string' ? input : String(input)).trim();
  if (text === '') return { kind: 'empty' };
  if (epochSecondsPattern.test(text)) return { kind: 'instant', format: 'epoch_s', epochMs: Math.round(Number(text) * 1000) };
  if (epochMillisecondsPattern.test(text)) return { kind: 'instant', format: 'epoch_ms', epochMs: Number(text) };

  let dateText = text;
  let time: TimeOfDay | null = null;
  const timeMatch = timeStart.exec(text);
  if (timeMatch && timeMatch.index > 0) {
    const read = readTime(text.slice(timeMatch.index).trim());
    if (read === null) return flag('unrecognised', `"${text.slice(timeMatch.index)}" is not a time this tool reads`);
    if ('problem' in read) return flag('invalid', read.problem);
    time = read;
    dateText = text.slice(0, timeMatch.index).replace(dateTail, '');
  }
  return readDatePart(dateText, time, context);
}

function readDatePart(text: string, time: TimeOfDay | null, context: ReadContext): DateReading {
  const yearFirst = yearFirstPattern.exec(text);
  if (yearFirst) {
    const separator = yearFirst[2]!;
    return checkedDate(`YYYY${separator}MM${separator}DD`, Number(yearFirst[1]), Number(yearFirst[3]), Number(yearFirst[4]), time);
  }
  const yearLast = yearLastPattern.exec(text);
  if (yearLast) {
    const separator = yearLast[2]!;
    const years = yearLast[4]!.length === 4 ? 'YYYY' : 'YY';
    const year = Number(yearLast[4]);
    return {
      kind: 'order',
      key: `${separator}${years}`,
      dayFirstFormat: `DD${separator}MM${separator}${years}`,
      monthFirstFormat: `MM${separator}DD${separator}${years}`,
      first: Number(yearLast[1]),
      second: Number(yearLast[3]),
      year: years === 'YY' ? expandTwoDigitYear(year) : year,
      time,
      text,
    };
  }
  const compact = compactPattern.exec(text);
  if (compact) return checkedDate('YYYYMMDD', Number(compact[1]), Number(compact[2]), Number(compact[3]), time);
  const folded = foldText(text).replace(/\s+/g, ' ');
  const relative = readRelative(folded);
  if (relative) {
    if (!context.today) return flag('ambiguous', `"${text}" is relative; give relativeTo (the run's logical date) to resolve it`, 'relative');
    const resolved = resolveRelative(relative, folded, context.today);
    return 'problem' in resolved ? flag('ambiguous', resolved.problem, 'relative') : { kind: 'date', format: 'relative', date: resolved.date, time };
  }
  return readNamedMonth(text, folded, time);
}

function checkedDate(format: string, year: number, month: number, day: number, time: TimeOfDay | null): DateReading {
  const problem = impossibleDateReason(year, month, day);
  return problem ? flag('invalid', problem, format) : { kind: 'date', format, date: { year, month, day }, time };
}

/** "5 March 2024", "March 5th, 2024", "Tue, 5 Mar 2024", "5. März 2024", "5 de marzo de 2024", "05-MAR-24". */
function readNamedMonth(text: string, folded: string, time: TimeOfDay | null): DateReading {
  const tokens = folded.match(/\p{L}+|\d+/gu) ?? [];
  let month = 0;
  let monthAt = -1;
  let weekday = -1;
  const numbers: { readonly digits: string; readonly at: number }[] = [];
  for (const [at, token] of tokens.entries()) {
    const first = token.charCodeAt(0);
    if (first >= 48 && first <= 57) {
      numbers.push({ digits: token, at });
      continue;
    }
    const monthNumber = monthByName.get(token);
    if (monthNumber !== undefined && month === 0) {
      month = monthNumber;
      monthAt = at;
    } else if (weekdayByName.has(token) && weekday < 0) weekday = weekdayByName.get(token)!;
    else if (!isJoiningWord.has(token)) return flag('unrecognised', `"${text}" is not a date this tool reads`);
  }
  if (month === 0 || numbers.length === 0 || numbers.length > 2) return flag('unrecognised', `"${text}" is not a date this tool reads`);
  if (numbers.length === 1) {
    return numbers[0]!.digits.length === 4
      ? flag('ambiguous', `"${text}" names a month but not a day`)
      : flag('unrecognised', `"${text}" has no year`);
  }
  const [a, b] = numbers as [{ digits: string; at: number }, { digits: string; at: number }];
  const aIsYear = a.digits.length >= 3;
  const bIsYear = b.digits.length >= 3;
  if (aIsYear && bIsYear) return flag('unrecognised', `"${text}" has two years`);
  // Without a four-digit year the first number is the day, as in "5 Mar 24" and "Mar 5 24".
  if (!aIsYear && !bIsYear && monthAt > b.at) return flag('unrecognised', `"${text}" does not say which number is the day`);
  const dayToken = aIsYear ? b : a;
  const yearToken = dayToken === a ? b : a;
  if (yearToken.digits.length !== 4 && yearToken.digits.length !== 2) return flag('unrecognised', `"${text}" has no year of 2 or 4 digits`);
  const years = yearToken.digits.length === 4 ? 'YYYY' : 'YY';
  const format = yearToken.at < monthAt && yearToken.at < dayToken.at ? `YYYY MMMM D` : dayToken.at < monthAt ? `D MMMM ${years}` : `MMMM D ${years}`;
  const year = years === 'YY' ? expandTwoDigitYear(Number(yearToken.digits)) : Number(yearToken.digits);
  const day = Number(dayToken.digits);
  const reading = checkedDate(format, year, month, day, time);
  if (reading.kind === 'date' && weekday >= 0 && weekdayOf(reading.date) !== weekday) {
    const actual = englishWeekdayNames[weekdayOf(reading.date)]!;
    return flag('invalid', `${day} ${englishMonth(month)} ${year} is a ${actual}, not a ${englishWeekdayNames[weekday]}`, format);
  }
  return reading;
}
