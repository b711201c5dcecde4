import { ConfigError } from '../errors.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { formatLogicalDate, intervalsForDays, nextTick, previousTick, type DataInterval } from '../pipeline/schedule.ts';

/**
 * The data interval a `--date` names: for `YYYY-MM-DD`, the first interval of
 * the pipeline's schedule that starts that day (the whole day when there is
 * no schedule); for an ISO time, the schedule's interval that starts there.
 */
export function intervalForDate(pipeline: Pipeline, date: string): { logicalDate: string; interval: DataInterval } {
  const timezone = pipeline.schedule?.timezone ?? 'UTC';
  if (/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    if (Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new ConfigError('run.bad_date', `'${date}' is not a date`);
    const [interval] = intervalsForDays(pipeline.schedule, date, date);
    if (!interval) throw new ConfigError('run.bad_date', `the schedule of '${pipeline.name}' has no interval starting on ${date}`);
    return { logicalDate: formatLogicalDate(interval, timezone), interval };
  }
  const at = Date.parse(date);
  if (Number.isNaN(at)) throw new ConfigError('run.bad_date', `'${date}' is not a date (YYYY-MM-DD) or an ISO time`);
  if (!pipeline.schedule) {
    const interval = { start: new Date(at), end: new Date(at + 86_400_000) };
    return { logicalDate: new Date(at).toISOString(), interval };
  }
  const start = previousTick(pipeline.schedule, nextTick({ ...pipeline.schedule, start_date: undefined, end_date: undefined }, new Date(at - 1))!);
  const end = nextTick({ ...pipeline.schedule, start_date: undefined, end_date: undefined }, start)!;
  const interval = { start: start.getTime() === at ? start : new Date(at), end };
  return { logicalDate: formatLogicalDate(interval, timezone), interval };
}

/** `2025-01-01..2025-01-31` to its two days, in order. */
export function parseDateRange(range: string): { first: string; last: string } {
  const match = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(range.trim());
  if (!match) throw new ConfigError('run.bad_range', `'${range}' is not a date range; write START..END, e.g. 2025-01-01..2025-01-31`);
  const [, first, last] = match as unknown as [string, string, string];
  for (const day of [first, last]) {
    const parsed = new Date(`${day}T00:00:00Z`);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) throw new ConfigError('run.bad_range', `'${day}' is not a calendar date`);
  }
  if (first > last) throw new ConfigError('run.bad_range', `the range ${range} ends before it starts; write the earlier date first`);
  return { first, last };
}
