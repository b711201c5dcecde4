import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scheduleSchema } from '../core/pipeline/schedule.ts';
import { nextRunTimes } from './next-run-times.ts';

describe('nextRunTimes', () => {
  it('lists the next five ticks in the schedule’s zone, across a daylight saving change', () => {
    const schedule = scheduleSchema.parse({ cron: '0 6 * * *', timezone: 'Europe/Berlin' });
    const times = nextRunTimes(schedule, new Date('2025-03-28T12:00:00Z'));
    // 06:00 in Berlin is 05:00 UTC before 2025-03-30 and 04:00 UTC from then on.
    assert.deepEqual(times.map((t) => t.toISOString()), [
      '2025-03-29T05:00:00.000Z',
      '2025-03-30T04:00:00.000Z',
      '2025-03-31T04:00:00.000Z',
      '2025-04-01T04:00:00.000Z',
      '2025-04-02T04:00:00.000Z',
    ]);
  });

  it('starts at start_date and stops at end_date', () => {
    const schedule = scheduleSchema.parse({ interval: '1h', start_date: '2025-01-01T10:00:00Z', end_date: '2025-01-01T12:00:00Z' });
    assert.deepEqual(nextRunTimes(schedule, new Date('2024-12-01T00:00:00Z')).map((t) => t.toISOString()), [
      '2025-01-01T10:00:00.000Z',
      '2025-01-01T11:00:00.000Z',
      '2025-01-01T12:00:00.000Z',
    ]);
  });
});
