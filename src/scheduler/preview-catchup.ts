import { nextTick, previousTick, type Schedule } from '../core/pipeline/schedule.ts';
import { dueIntervals, type DueInterval } from './due-intervals.ts';

export interface CatchupPreview {
  /** The runs the scheduler starts as soon as the schedule is saved, oldest first. */
  readonly due: readonly DueInterval[];
  /** A `start_date` with which nothing is owed now: the start of the interval under way. */
  readonly startFromNext: string | undefined;
  /** When the interval under way ends, and the first run comes when starting from it. */
  readonly nextRun: string | undefined;
}

/**
 * What saving `schedule` makes the scheduler do at once, given the last
 * interval it fired: a schedule whose interval has just ended owes a run for
 * it (yesterday, for a daily one), and with catchup one for every interval
 * since start_date. Shown to the user before saving, so no run comes as a surprise.
 */
export function previewCatchup(schedule: Schedule, lastLogicalDate: string | undefined, now: Date, limit = 1000): CatchupPreview {
  const due = dueIntervals({ ...schedule, enabled: true }, lastLogicalDate, now, limit);
  const next = nextTick({ ...schedule, start_date: undefined, end_date: undefined }, now);
  return { due, startFromNext: next ? previousTick(schedule, next).toISOString() : undefined, nextRun: next?.toISOString() };
}
