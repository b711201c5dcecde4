import { type CalendarDate, dateFromDayNumber, dayNumber, daysInMonth, englishMonth, weekdayOf } from './calendar.ts';
import { weekdayByName } from './date-words.ts';

/** A relative expression resolved to a day, or why it cannot be. */
export type RelativeDate = { readonly date: CalendarDate } | { readonly problem: string };

const counts: Readonly<Record<string, number>> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
};
const units: Readonly<Record<string, 'day' | 'week' | 'month' | 'year'>> = {
  day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month', months: 'month', year: 'year', years: 'year',
};
const fixedDays: Readonly<Record<string, number>> = {
  today: 0, yesterday: -1, tomorrow: 1, 'day before yesterday': -2, 'the day before yesterday': -2, 'day after tomorrow': 2, 'the day after tomorrow': 2,
};

const amountPattern = /^(?:(in)\s+)?(\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+(days?|weeks?|months?|years?)(?:\s+(ago|from now|later|earlier|before|after))?$/;
const weekdayPattern = /^(last|next|this|past|coming)\s+([a-z]+)$/;
const periodPattern = /^(last|next|this|past|coming)\s+(week|month|year|weekend)$/;

/** True when the folded text is an English relative expression this module reads. */
export function looksRelative(folded: string): boolean {
  const weekday = weekdayPattern.exec(folded);
  return folded in fixedDays || amountPattern.test(folded) || (weekday !== null && weekdayByName.has(weekday[2]!)) || periodPattern.test(folded) || weekdayByName.has(folded);
}

/**
 * Resolves "yesterday", "3 days ago", "in 2 weeks", "last Tuesday" against `today`,
 * which is the run's logical date so that a rerun gives the same answer.
 * "Last Tuesday" is the latest Tuesday before today and "next Tuesday" the first after it.
 */
export function resolveRelative(folded: string, today: CalendarDate): RelativeDate {
  const fixed = fixedDays[folded];
  if (fixed !== undefined) return { date: dateFromDayNumber(dayNumber(today) + fixed) };
  const period = periodPattern.exec(folded);
  if (period) return { problem: `"${folded}" names a ${period[2]}, not one day` };
  const amount = amountPattern.exec(folded);
  if (amount) {
    const [, inWord, countWord, unitWord, direction] = amount;
    if (!inWord && !direction) return { problem: `"${folded}" does not say whether it is before or after the reference date` };
    if (inWord && direction) return { problem: `"${folded}" says "in" and "${direction}" at once` };
    const count = counts[countWord!] ?? Number(countWord);
    const sign = direction === 'ago' || direction === 'earlier' || direction === 'before' ? -1 : 1;
    return shift(today, sign * count, units[unitWord!]!, folded);
  }
  const weekday = weekdayPattern.exec(folded);
  const dayOfWeek = weekday ? weekdayByName.get(weekday[2]!) : undefined;
  if (weekday && dayOfWeek !== undefined) {
    const todayWeekday = weekdayOf(today);
    const which = weekday[1];
    if (which === 'this') return { problem: `"${folded}" could be the one before or after the reference date` };
    const back = which === 'last' || which === 'past';
    const distance = back ? ((todayWeekday - dayOfWeek + 7) % 7) || 7 : ((dayOfWeek - todayWeekday + 7) % 7) || 7;
    return { date: dateFromDayNumber(dayNumber(today) + (back ? -distance : distance)) };
  }
  if (weekdayByName.has(folded)) return { problem: `"${folded}" alone does not say which week` };
  return { problem: `"${folded}" is not a relative date this tool reads` };
}

function shift(today: CalendarDate, count: number, unit: 'day' | 'week' | 'month' | 'year', folded: string): RelativeDate {
  if (unit === 'day' || unit === 'week') return { date: dateFromDayNumber(dayNumber(today) + count * (unit === 'week' ? 7 : 1)) };
  const months = today.year * 12 + (today.month - 1) + count * (unit === 'year' ? 12 : 1);
  const year = Math.floor(months / 12);
  const month = (months % 12) + 1;
  if (today.day > daysInMonth(year, month)) {
    return { problem: `"${folded}" from ${today.day} ${englishMonth(today.month)} lands in ${englishMonth(month)} ${year}, which has no day ${today.day}` };
  }
  return { date: { year, month, day: today.day } };
}
