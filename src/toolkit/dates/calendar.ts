/** A calendar day without a time or zone. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (monthLengths[month - 1] ?? 0);
}

/** Why year/month/day is not a day of the calendar, or null when it is. */
export function impossibleDateReason(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12) return `${month} is not a month`;
  const length = daysInMonth(year, month);
  if (day < 1 || day > length) {
    return `${englishMonth(month)} ${year} has ${length} days, so day ${day} does not exist`;
  }
  return null;
}

const monthWords = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function englishMonth(month: number): string {
  return monthWords[month - 1] ?? String(month);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `YYYY-MM-DD`. */
export function formatDate(date: CalendarDate): string {
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** `HH:mm:ss`. */
export function formatClock(time: { readonly hour: number; readonly minute: number; readonly second: number }): string {
  return `${pad(time.hour, 2)}:${pad(time.minute, 2)}:${pad(time.second, 2)}`;
}

/** Days since 1970-01-01, for day arithmetic without a time zone. */
export function dayNumber(date: CalendarDate): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / 86_400_000);
}

export function dateFromDayNumber(days: number): CalendarDate {
  const at = new Date(days * 86_400_000);
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() };
}

/** 0 is Sunday. */
export function weekdayOf(date: CalendarDate): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

/** Two-digit years follow the POSIX `%y` rule: 69-99 are 1969-1999, 00-68 are 2000-2068. */
export function expandTwoDigitYear(year: number): number {
  return year >= 69 ? 1900 + year : 2000 + year;
}
