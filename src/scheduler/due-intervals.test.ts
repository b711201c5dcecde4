import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scheduleSchema } from '../core/pipeline/schedule.ts';
import { dueIntervals } from './due-intervals.ts';

const daily = (extra: object = {}) => scheduleSchema.parse({ cron: '0 0 * * *', start_date: '2025-01-01', ...extra });
const dates = (list: { logicalDate: string }[]) => list.map((d) => d.logicalDate);

describe('due intervals', () => {
  it('owes every interval since start_date with catchup', () => {
    assert.deepEqual(dates(dueIntervals(daily({ catchup: true }), undefined, new Date('2025-01-04T00:00:30Z'))), ['2025-01-01', '2025-01-02', '2025-01-03']);
  });

  it('owes only the latest interval without catchup', () => {
    assert.deepEqual(dates(dueIntervals(daily(), undefined, new Date('2025-01-04T00:00:30Z'))), ['2025-01-03']);
  });

  it('owes the intervals after the last one fired, and nothing twice', () => {
    const schedule = daily({ catchup: true });
    assert.deepEqual(dates(dueIntervals(schedule, '2025-01-02', new Date('2025-01-04T00:00:30Z'))), ['2025-01-03']);
    assert.deepEqual(dates(dueIntervals(schedule, '2025-01-03', new Date('2025-01-04T00:00:30Z'))), []);
  });

  it('fires an interval once it has ended, not before', () => {
    const schedule = daily();
    assert.deepEqual(dates(dueIntervals(schedule, '2025-01-02', new Date('2025-01-03T23:59:59Z'))), []);
    assert.deepEqual(dates(dueIntervals(schedule, '2025-01-02', new Date('2025-01-04T00:00:00Z'))), ['2025-01-03']);
  });

  it('works for short intervals with ISO logical dates', () => {
    const every = scheduleSchema.parse({ interval: '10s', start_date: '2025-01-01T00:00:00Z', catchup: true });
    const due = dueIntervals(every, '2025-01-01T00:00:10.000Z', new Date('2025-01-01T00:00:41Z'));
    assert.deepEqual(dates(due), ['2025-01-01T00:00:20.000Z', '2025-01-01T00:00:30.000Z']);
  });

  it('owes nothing when disabled', () => {
    assert.deepEqual(dueIntervals(daily({ enabled: false }), undefined, new Date('2025-02-01T00:00:00Z')), []);
  });
});
