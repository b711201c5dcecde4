import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { durationSchema } from './duration.ts';

/**
 * When a pipeline runs by itself. A run covers a data interval [start, end);
 * its logical date is the interval's start, and it fires when the interval
 * has ended (the day's data is complete after midnight).
 */
export const scheduleSchema = z
  .object({
    cron: z.string().min(1).optional(),
    interval: durationSchema.optional(),
    timezone: z.string().default('UTC'),
    /** The first interval starts here (YYYY-MM-DD or an ISO time); default: now. */
    start_date: z.string().optional(),
    end_date: z.string().optional(),
    /** Run every interval missed since start_date (or since the scheduler last ran); off runs only the latest. */
    catchup: z.boolean().default(false),
    max_active_runs: z.number().int().positive().default(1),
    /** What a tick does when max_active_runs are running: wait for a slot, or skip that interval. */
    on_max_active: z.enum(['wait', 'skip']).default('wait'),
    /** Alert when a run has not finished this long after its interval ended. */
    deadline: durationSchema.optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.cron === undefined) === (s.interval === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a schedule has either cron or interval', path: ['cron'] });
      return;
    }
    if (!isTimeZone(s.timezone)) ctx.addIssue({ code: 'custom', message: `unknown time zone '${s.timezone}' (use an IANA name such as Europe/Paris)`, path: ['timezone'] });
    if (s.cron !== undefined) {
      const problem = cronProblem(s.cron);
      if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron expression '${s.cron}': ${problem}`, path: ['cron'] });
    }
    for (const key of ['start_date', 'end_date'] as const) {
      if (s[key] !== undefined && Number.isNaN(parseInstant(s[key]!, s.timezone))) {
        ctx.addIssue({ code: 'custom', message: `${key} '${s[key]}' is not a date (YYYY-MM-DD) or an ISO time`, path: [key] });
      }
    }
    if (s.interval !== undefined && s.interval < 1000) ctx.addIssue({ code: 'custom', message: 'an interval is at least 1s', path: ['interval'] });
  });

export type Schedule = z.output<typeof scheduleSchema>;

export interface DataInterval {
  readonly start: Date;
  readonly end: Date;
}

export function isTimeZone(zone: string): boolean {
  try {
    dayFormat(zone);
    return true;
  } catch {
    return false;
  }
}

/** One formatter per time zone: building one costs far more than formatting, and a backfill formats every day of its range. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timezone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timezone, format);
  }
  return format;
}

/** The macros the cron parser reads as five fields (`@daily` is `0 0 * * *`). */
const cronMacro = /^@(yearly|annually|monthly|weekly|daily|hourly)$/i;

function cronProblem(expression: string): string | undefined {
  if (!cronMacro.test(expression.trim()) && expression.trim().split(/\s+/).length !== 5) {
    return 'write five fields: minute hour day-of-month month day-of-week (or @hourly, @daily, @weekly, @monthly, @yearly)';
  }
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `YYYY-MM-DD` is midnight in the schedule's zone; anything else is an ISO instant. */
export function parseInstant(text: string, timezone: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return zonedMidnight(text, timezone);
  return Date.parse(text);
}

/** The instant of local midnight of `day` in `timezone`. */
export function zonedMidnight(day: string, timezone: string): number {
  const expression = CronExpressionParser.parse('0 0 * * *', { tz: timezone, currentDate: new Date(Date.parse(`${day}T00:00:00Z`) - 36 * 3_600_000) });
  for (;;) {
    const at = expression.next().toDate();
    if (localDay(at, timezone) === day) return at.getTime();
    if (at.getTime() > Date.parse(`${day}T00:00:00Z`) + 36 * 3_600_000) return Number.NaN;
  }
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(at: Date, timezone: string): string {
  return dayFormat(timezone).format(at);
}

/** The first tick strictly after `after`. */
export function nextTick(schedule: Schedule, after: Date): Date | undefined {
  const start = schedule.start_date !== undefined ? parseInstant(schedule.start_date, schedule.timezone) : undefined;
  const end = schedule.end_date !== undefined ? parseInstant(schedule.end_date, schedule.timezone) : undefined;
  let tick: number;
  if (schedule.interval !== undefined) {
    const origin = start ?? 0;
    const steps = Math.max(0, Math.floor((after.getTime() - origin) / schedule.interval) + 1);
    tick = origin + steps * schedule.interval;
  } else {
    const from = start !== undefined && start - 1 > after.getTime() ? new Date(start - 1) : after;
    tick = CronExpressionParser.parse(schedule.cron!, { tz: schedule.timezone, currentDate: from }).next().toDate().getTime();
  }
  return end !== undefined && tick > end ? undefined : new Date(tick);
}

/** The tick before `at` (the start of the interval that ends at `at`). */
export function previousTick(schedule: Schedule, at: Date): Date {
  if (schedule.interval !== undefined) return new Date(at.getTime() - schedule.interval);
  return CronExpressionParser.parse(schedule.cron!, { tz: schedule.timezone, currentDate: at }).prev().toDate();
}

/**
 * The data intervals that have ended in (from, to]: each one's end is a tick
 * in that range. A scheduler calls this with the last tick it handled.
 */
export function intervalsEndingBetween(schedule: Schedule, from: Date, to: Date, limit = 10_000): DataInterval[] {
  const intervals: DataInterval[] = [];
  for (let end = nextTick(schedule, from); end && end.getTime() <= to.getTime() && intervals.length < limit; end = nextTick(schedule, end)) {
    const start = previousTick(schedule, end);
    const startAt = schedule.start_date !== undefined ? parseInstant(schedule.start_date, schedule.timezone) : undefined;
    if (startAt !== undefined && start.getTime() < startAt) continue;
    intervals.push({ start, end });
  }
  return intervals;
}

/** The data intervals whose start falls in [first, last] days, for a backfill; daily when there is no schedule. */
export function intervalsForDays(schedule: Schedule | undefined, firstDay: string, lastDay: string): DataInterval[] {
  const effective: Schedule = schedule ?? scheduleSchema.parse({ cron: '0 0 * * *' });
  const from = zonedMidnight(firstDay, effective.timezone);
  const dayAfter = new Date(Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const to = zonedMidnight(dayAfter, effective.timezone);
  const intervals: DataInterval[] = [];
  // Ticks at or after `from`: start from just before it. One cron iterator for the whole range: parsing the
  // expression again for each tick cost a millisecond a day, seconds for a backfill of years.
  const ticks = effective.interval === undefined ? CronExpressionParser.parse(effective.cron!, { tz: effective.timezone, currentDate: new Date(from - 1) }) : undefined;
  const following = (after: Date): Date => (ticks ? ticks.next().toDate() : nextTick({ ...effective, start_date: undefined, end_date: undefined }, after)!);
  for (let start = following(new Date(from - 1)); start.getTime() < to; ) {
    const end = following(start);
    intervals.push({ start, end });
    start = end;
  }
  return intervals;
}

/** How a logical date reads in messages and in `--date`: the day for daily-or-longer intervals, else the instant. */
export function formatLogicalDate(interval: DataInterval, timezone: string): string {
  const length = interval.end.getTime() - interval.start.getTime();
  return length >= 86_400_000 - 3_600_000 ? localDay(interval.start, timezone) : interval.start.toISOString();
}
