import { nextTick, type Schedule } from '../core/pipeline/schedule.ts';

/**
 * The next `count` moments a schedule fires after `after`, with the
 * scheduler's own tick rule (cron-parser in the schedule's zone, start_date
 * and end_date respected), so what the UI shows is what the scheduler does.
 * Fewer when end_date comes first.
 */
export function nextRunTimes(schedule: Schedule, after: Date, count = 5): Date[] {
  const times: Date[] = [];
  for (let at = nextTick(schedule, after); at && times.length < count; at = nextTick(schedule, at)) times.push(at);
  return times;
}
