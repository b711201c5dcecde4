import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogicalDate, intervalsEndingBetween, intervalsForDays, nextTick, scheduleSchema, zonedMidnight } from './schedule.ts';

const parse = (input: unknown) => scheduleSchema.parse(input);
const issue = (input: unknown) => {
  const result = scheduleSchema.safeParse(input);
  assert.equal(result.success, false);
  return result.error!.issues[0]!.message;
};

describe('schedules', () => {
  it('rejects a bad cron expression, time zone or date clearly', () => {
    assert.match(issue({ cron: '61 * * * *' }), /invalid cron expression '61 \* \* \* \*'/);
    assert.match(issue({ cron: '* * *' }), /five fields/);
    assert.match(issue({ cron: '0 3 * * *', timezone: 'Mars/Olympus' }), /unknown time zone 'Mars\/Olympus'/);
    assert.match(issue({ cron: '0 3 * * *', start_date: 'last tuesday' }), /start_date 'last tuesday' is not a date/);
    assert.match(issue({}), /either cron or interval/);
    assert.match(issue({ interval: 'often' }), /not a duration/);
  });

  it('finds the next cron tick in the schedule’s time zone, across daylight saving time', () => {
    const daily = parse({ cron: '0 3 * * *', timezone: 'Europe/Paris' });
    // 2025-03-30 is the spring-forward day in Paris: 03:00 local is 01:00 UTC that day, 02:00 UTC the day before.
    assert.equal(nextTick(daily, new Date('2025-03-29T00:00:00Z'))!.toISOString(), '2025-03-29T02:00:00.000Z');
    assert.equal(nextTick(daily, new Date('2025-03-29T02:00:00Z'))!.toISOString(), '2025-03-30T01:00:00.000Z');
  });

  it('reads the @daily-style macros as the cron fields they stand for', () => {
    const daily = parse({ cron: '@daily', timezone: 'Europe/Berlin' });
    assert.equal(nextTick(daily, new Date('2025-06-01T12:00:00Z'))!.toISOString(), '2025-06-01T22:00:00.000Z');
    const weekly = parse({ cron: '@weekly' });
    assert.equal(nextTick(weekly, new Date('2025-06-02T00:00:00Z'))!.toISOString(), '2025-06-08T00:00:00.000Z');
    assert.match(issue({ cron: '@midnight' }), /invalid cron expression/);
  });

  it('counts intervals from the start date', () => {
    const every15 = parse({ interval: '15m', start_date: '2025-01-01T00:00:00Z' });
    assert.equal(nextTick(every15, new Date('2025-01-01T00:20:00Z'))!.toISOString(), '2025-01-01T00:30:00.000Z');
  });

  it('lists the intervals that ended in a range, each starting at the previous tick', () => {
    const daily = parse({ cron: '0 0 * * *', start_date: '2025-01-01' });
    const intervals = intervalsEndingBetween(daily, new Date('2025-01-01T00:00:00Z'), new Date('2025-01-04T00:00:00Z'));
    assert.deepEqual(
      intervals.map((i) => [i.start.toISOString().slice(0, 10), i.end.toISOString().slice(0, 10)]),
      [['2025-01-01', '2025-01-02'], ['2025-01-02', '2025-01-03'], ['2025-01-03', '2025-01-04']],
    );
  });

  it('gives one interval per day for a backfill, in the schedule’s zone', () => {
    const intervals = intervalsForDays(undefined, '2025-01-01', '2025-01-31');
    assert.equal(intervals.length, 31);
    assert.equal(formatLogicalDate(intervals[0]!, 'UTC'), '2025-01-01');
    assert.equal(formatLogicalDate(intervals[30]!, 'UTC'), '2025-01-31');
    const tokyo = intervalsForDays(parse({ cron: '0 0 * * *', timezone: 'Asia/Tokyo' }), '2025-01-01', '2025-01-02');
    assert.equal(tokyo[0]!.start.toISOString(), '2024-12-31T15:00:00.000Z');
    assert.equal(tokyo.length, 2);
  });

  it('finds local midnight', () => {
    assert.equal(new Date(zonedMidnight('2025-07-01', 'America/New_York')).toISOString(), '2025-07-01T04:00:00.000Z');
  });
});
