import {
  formatLogicalDate,
  intervalsEndingBetween,
  nextTick,
  parseInstant,
  previousTick,
  type DataInterval,
  type Schedule,
} from '../core/pipeline/schedule.ts';

export interface DueInterval {
  readonly logicalDate: string;
  readonly interval: DataInterval;
}

/**
 * The intervals a schedule owes at `now`: those that ended after the last
 * one fired (`lastLogicalDate`), oldest first. Without catchup only the
 * newest of them is owed; a pipeline never fired before starts at its
 * start_date with catchup, or with the latest ended interval without.
 */
export function dueIntervals(schedule: Schedule, lastLogicalDate: string | undefined, now: Date, limit = 1000): DueInterval[] {
  if (!schedule.enabled) return [];
  let after: Date;
  if (lastLogicalDate !== undefined) {
    const lastStart = parseInstant(lastLogicalDate, schedule.timezone);
    after = nextTick(withoutBounds(schedule), new Date(lastStart)) ?? now;
  } else if (schedule.catchup && schedule.start_date !== undefined) {
    after = new Date(parseInstant(schedule.start_date, schedule.timezone) - 1);
  } else {
    // Never fired and no catchup: owe only the interval that ended last.
    after = previousTick(schedule, nextTick(withoutBounds(schedule), now) ?? now);
    after = new Date(after.getTime() - 1);
  }
  const intervals = intervalsEndingBetween(schedule, after, now, schedule.catchup ? limit : 10_000);
  const owed = schedule.catchup ? intervals : intervals.slice(-1);
  return owed.map((interval) => ({ logicalDate: formatLogicalDate(interval, schedule.timezone), interval }));
}

/** When the next interval of a schedule ends after `now`: the moment to look again. */
export function nextDue(schedule: Schedule, now: Date): Date | undefined {
  return schedule.enabled ? nextTick(schedule, now) : undefined;
}

function withoutBounds(schedule: Schedule): Schedule {
  return { ...schedule, start_date: undefined, end_date: undefined };
}
