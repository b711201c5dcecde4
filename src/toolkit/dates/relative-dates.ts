import { type CalendarDate, dateFromDayNumber, dayNumber, daysInMonth, englishMonth, weekdayOf } from './calendar.ts';
import { weekdayByName } from './date-words.ts';
import { type RelativePhrase, type RelativeUnit, readForeignRelative } from './relative-words.ts';

/** A relative expression resolved to a day, or why it cannot be. */
export type RelativeDate = { readonly date: CalendarDate } | { readonly problem: string };

const counts: Readonly<Record<string, number>> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
};
const units: Readonly<Record<string, RelativeUnit>> = {
  day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month', months: 'month', year: 'year', years: 'year',
};
const fixedDays: Readonly<Record<string, number>> = {
  today: 0, yesterday: -1, tomorrow: 1, 'day before yesterday': -2, 'the day before yesterday': -2, 'day after tomorrow': 2, 'the day after tomorrow': 2,
};

const amountPattern = /^(?:(in)\s+)?(\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+(days?|weeks?|months?|years?)(?:\s+(ago|from now|later|earlier|before|after))?$/;
const weekdayPattern = /^(last|next|this|past|coming)\s+([a-z]+)$/;
const periodPattern = /^(last|next|this|past|coming)\s+(week|month|year|weekend)$/;

/**
 * Reads a relative expression: in English ("yesterday", "3 days ago", "last
 * Tuesday"), then in the other languages the toolkit knows month names in.
 * Null when the folded text is none.
 */
export function readRelative(folded: string): RelativePhrase | null {
  return readEnglishRelative(folded) ?? readForeignRelative(folded);
}

function readEnglishRelative(folded: string): RelativePhrase | null {
  const fixed = fixedDays[folded];
  if (fixed !== undefined) return { kind: 'days', days: fixed };
  const period = periodPattern.exec(folded);
  if (period) return { kind: 'problem', problem: `"${folded}" names a ${period[2]}, not one day` };
  const amount = amountPattern.exec(folded);
  if (amount) {
    const [, inWord, countWord, unitWord, direction] = amount;
    if (!inWord && !direction) return { kind: 'problem', problem: `"${folded}" does not say whether it is before or after the reference date` };
    if (inWord && direction) return { kind: 'problem', problem: `"${folded}" says "in" and "${direction}" at once` };
    const count = counts[countWord!] ?? Number(countWord);
    const sign = direction === 'ago' || direction === 'earlier' || direction === 'before' ? -1 : 1;
    return { kind: 'amount', count, unit: units[unitWord!]!, sign };
  }
  const weekday = weekdayPattern.exec(folded);
  const dayOfWeek = weekday ? weekdayByName.get(weekday[2]!) : undefined;
  if (weekday && dayOfWeek !== undefined) {
    const which = weekday[1];
    if (which === 'this') return { kind: 'problem', problem: `"${folded}" could be the one before or after the reference date` };
    return { kind: 'weekday', weekday: dayOfWeek, direction: which === 'last' || which === 'past' ? 'last' : 'next' };
  }
  if (weekdayByName.has(folded)) return { kind: 'problem', problem: `"${folded}" alone does not say which week` };
  return null;
}

/**
 * Resolves a relative expression against `today`, which is the run's logical
 * date so that a rerun gives the same answer. "Last Tuesday" is the latest
 * Tuesday before today and "next Tuesday" the first after it.
 */
export function resolveRelative(phrase: RelativePhrase, folded: string, today: CalendarDate): RelativeDate {
  switch (phrase.kind) {
    case 'problem':
      return { problem: phrase.problem };
    case 'days':
      return { date: dateFromDayNumber(dayNumber(today) + phrase.days) };
    case 'amount':
      return shift(today, phrase.sign * phrase.count, phrase.unit, folded);
    case 'weekday': {
      const todayWeekday = weekdayOf(today);
      const back = phrase.direction === 'last';
      const distance = back ? ((todayWeekday - phrase.weekday + 7) % 7) || 7 : ((phrase.weekday - todayWeekday + 7) % 7) || 7;
      return { date: dateFromDayNumber(dayNumber(today) + (back ? -distance : distance)) };
    }
  }
}

function shift(today: CalendarDate, count: number, unit: RelativeUnit, folded: string): RelativeDate {
  if (unit === 'day' || unit === 'week') return { date: dateFromDayNumber(dayNumber(today) + count * (unit === 'week' ? 7 : 1)) };
  const months = today.year * 12 + (today.month - 1) + count * (unit === 'year' ? 12 : 1);
  const year = Math.floor(months / 12);
  const month = (months % 12) + 1;
  if (today.day > daysInMonth(year, month)) {
    return { problem: `"${folded}" from ${today.day} ${englishMonth(today.month)} lands in ${englishMonth(month)} ${year}, which has no day ${today.day}` };
  }
  return { date: { year, month, day: today.day } };
}
