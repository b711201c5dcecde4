/** The time of day a value carries, with its zone offset when it names one. */
export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Fractional seconds as written after the point, "" when none. */
  readonly fraction: string;
  /** Minutes east of UTC, or null when the value names no zone. */
  readonly offsetMinutes: number | null;
}

const timePattern =
  /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(?:([ap])\.?\s?m\.?)?\s*(?:(z)|(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?|(utc|gmt))?$/i;

/** Reads "14:05", "2:05 PM", "14:05:09.123Z", "14:05+02:00"; a reason when the text is a time that cannot be. */
export function readTime(text: string): TimeOfDay | { readonly problem: string } | null {
  const match = timePattern.exec(text);
  if (!match) return null;
  let hour = Number(match[1]);
  const minute = Number(match[2]);
  const second = match[3] === undefined ? 0 : Number(match[3]);
  const meridiem = match[5]?.toLowerCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return { problem: `${hour} is not an hour on a 12-hour clock` };
    hour = (hour % 12) + (meridiem === 'p' ? 12 : 0);
  }
  if (hour > 23) return { problem: `${hour} is not an hour of the day` };
  if (minute > 59) return { problem: `${minute} is not a minute of the hour` };
  if (second > 59) return { problem: `${second} is not a second of the minute` };
  let offsetMinutes: number | null = null;
  if (match[6] || match[10]) offsetMinutes = 0;
  else if (match[7]) {
    const hours = Number(match[8]);
    const minutes = match[9] === undefined ? 0 : Number(match[9]);
    if (hours > 14 || minutes > 59) return { problem: `${match[7]}${match[8]}:${match[9] ?? '00'} is not a UTC offset` };
    offsetMinutes = (match[7] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return { hour, minute, second, fraction: match[4] ?? '', offsetMinutes };
}
