/**
 * A cron expression in plain words: "every day at 06:00 Europe/Berlin",
 * "every 15 minutes", "at 09:30 on Monday and Friday". A shape these rules
 * do not cover comes back as the cron text itself: never wrong words.
 * @example
 * describeCron('0 6 * * *', 'Europe/Berlin') // "every day at 06:00 Europe/Berlin"
 */
export function describeCron(cron: string, timezone?: string): string {
  const text = cron.trim();
  try {
    return describeFields(expandMacro(text).split(/\s+/), timezone) ?? text;
  } catch {
    return text;
  }
}

/** The macros the scheduler's cron parser accepts, as the five fields they stand for. */
const macros: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function expandMacro(text: string): string {
  return macros[text.toLowerCase()] ?? text;
}

const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Every value (`*`), every n-th from a start (`*\/n`, `a/n`), or a list of values and ranges. */
type Field =
  | { readonly kind: 'any' }
  | { readonly kind: 'step'; readonly from: number; readonly step: number }
  | { readonly kind: 'list'; readonly items: readonly (readonly [number, number])[] };

class Unsupported extends Error {}

function parseField(text: string, min: number, max: number, names: readonly string[] = []): Field {
  if (text === '*' || text === '?') return { kind: 'any' };
  const value = (part: string): number => {
    const named = names.findIndex((n) => n.slice(0, 3).toLowerCase() === part.toLowerCase());
    const n = named >= 0 && /^[a-z]{3}$/i.test(part) ? named + min : /^\d+$/.test(part) ? Number(part) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new Unsupported(part);
    return n;
  };
  const step = /^(\*|\d+)\/(\d+)$/.exec(text);
  if (step) return { kind: 'step', from: step[1] === '*' ? min : value(step[1]!), step: Number(step[2]) };
  const items = text.split(',').map((part): readonly [number, number] => {
    const range = /^(\w+)-(\w+)$/.exec(part);
    if (range) {
      const [a, b] = [value(range[1]!), value(range[2]!)];
      if (a > b) throw new Unsupported(part);
      return [a, b];
    }
    const single = value(part);
    return [single, single];
  });
  return { kind: 'list', items };
}

/** A list of single values only (no ranges), or undefined. */
function singles(field: Field): number[] | undefined {
  if (field.kind !== 'list' || field.items.some(([a, b]) => a !== b)) return undefined;
  return field.items.map(([a]) => a);
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

const two = (n: number): string => String(n).padStart(2, '0');
const clock = (hour: number, minute: number): string => `${two(hour)}:${two(minute)}`;
const plural = (n: number, unit: string): string => (n === 1 ? `every ${unit}` : `every ${n} ${unit}s`);

/** "Monday and Friday", "Monday to Friday", "January and July". */
function listWords(field: Field, name: (n: number) => string): string {
  if (field.kind !== 'list') throw new Unsupported('a step in a day or month field');
  return joinWords(field.items.map(([a, b]) => (a === b ? name(a) : `${name(a)} to ${name(b)}`)));
}

/** The time of day: `{ words, clocked }`, where clocked words name a clock time (so the zone follows them). */
function timeWords(minute: Field, hour: Field): { words: string; clocked: boolean } {
  const minutes = singles(minute);
  const hours = singles(hour);
  if (minutes?.length === 1) {
    const m = minutes[0]!;
    if (hours && hours.length <= 6) return { words: `at ${joinWords(hours.map((h) => clock(h, m)))}`, clocked: true };
    const past = m === 0 ? '' : ` at minute ${m}`;
    if (hour.kind === 'any') return { words: `every hour${past}`, clocked: false };
    if (hour.kind === 'step' && hour.from === 0 && 24 % hour.step === 0) return { words: `${plural(hour.step, 'hour')}${past}`, clocked: false };
    if (hour.kind === 'list' && hour.items.length === 1) {
      const [a, b] = hour.items[0]!;
      return { words: `every hour from ${clock(a, m)} to ${clock(b, m)}`, clocked: true };
    }
    throw new Unsupported('hours');
  }
  const every = minute.kind === 'any' ? 'every minute' : minute.kind === 'step' && minute.from === 0 && 60 % minute.step === 0 ? plural(minute.step, 'minute') : undefined;
  if (every) {
    if (hour.kind === 'any') return { words: every, clocked: false };
    if (hour.kind === 'list' && hour.items.length === 1) {
      const [a, b] = hour.items[0]!;
      return { words: `${every} from ${clock(a, 0)} to ${clock(b, 59)}`, clocked: true };
    }
    throw new Unsupported('hours');
  }
  if (minutes && hour.kind === 'any') return { words: `at minutes ${joinWords(minutes.map(String))} of every hour`, clocked: false };
  throw new Unsupported('minutes');
}

/** The days: undefined for every day, else " on Monday", " on day 1 of every month", " in January". */
function dayWords(dayOfMonth: Field, month: Field, dayOfWeek: Field): string | undefined {
  // Cron runs when either day field matches if both are restricted: too subtle for one sentence.
  if (dayOfMonth.kind !== 'any' && dayOfWeek.kind !== 'any') throw new Unsupported('both day fields');
  const months = month.kind === 'any' ? undefined : listWords(month, (n) => monthNames[n - 1]!);
  if (dayOfMonth.kind !== 'any') {
    const days = singles(dayOfMonth);
    const which = days ? `${days.length === 1 ? 'day' : 'days'} ${joinWords(days.map(String))}` : `days ${listWords(dayOfMonth, String)}`;
    return ` on ${which} of ${months ?? 'every month'}`;
  }
  const weekdays = dayOfWeek.kind === 'any' ? undefined : listWords(dayOfWeek, (n) => dayNames[n % 7]!);
  if (!weekdays && !months) return undefined;
  return `${weekdays ? ` on ${weekdays}` : ''}${months ? ` in ${months}` : ''}`;
}

function describeFields(fields: readonly string[], timezone: string | undefined): string | undefined {
  if (fields.length !== 5) return undefined;
  try {
    const [minute, hour, dayOfMonth, month, dayOfWeek] = [
      parseField(fields[0]!, 0, 59),
      parseField(fields[1]!, 0, 23),
      parseField(fields[2]!, 1, 31),
      parseField(fields[3]!, 1, 12, monthNames),
      parseField(fields[4]!, 0, 7, dayNames),
    ];
    const time = timeWords(minute, hour);
    const zone = time.clocked && timezone ? ` ${timezone}` : '';
    const days = dayWords(dayOfMonth, month, dayOfWeek);
    if (days === undefined) return time.clocked && time.words.startsWith('at ') ? `every day ${time.words}${zone}` : `${time.words}${zone}`;
    return `${time.words}${zone}${days}`;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** A schedule as the pipeline file holds it (cron or interval in ms) in plain words. */
export function describeSchedule(schedule: { readonly cron?: unknown; readonly interval?: unknown; readonly timezone?: unknown }): string {
  if (typeof schedule.cron === 'string') return describeCron(schedule.cron, typeof schedule.timezone === 'string' ? schedule.timezone : undefined);
  if (typeof schedule.interval === 'number') return describeInterval(schedule.interval);
  return '';
}

/** 900000 -> "every 15 minutes". */
export function describeInterval(ms: number): string {
  for (const [unit, size] of [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1000]] as const) {
    if (ms >= size && ms % size === 0) return plural(ms / size, unit);
  }
  return `every ${ms} ms`;
}
