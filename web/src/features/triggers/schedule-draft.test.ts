import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { draftChanged, draftFromSchedule, scheduleFromDraft } from './schedule-draft.ts';

describe('schedule drafts', () => {
  // As the server returns a schedule: parsed, with its defaults filled in.
  const saved = { cron: '0 6 * * *', timezone: 'Europe/Berlin', start_date: '2025-01-01', catchup: false, max_active_runs: 2, on_max_active: 'wait', deadline: 7_200_000, enabled: false };

  it('writes only what differs from the defaults, keeping the settings the editor does not show', () => {
    const draft = { ...draftFromSchedule(saved), text: '30 9 * * 1,5', catchup: true, end_date: '2025-12-31' };
    assert.deepEqual(scheduleFromDraft(draft, saved), {
      cron: '30 9 * * 1,5',
      timezone: 'Europe/Berlin',
      start_date: '2025-01-01',
      end_date: '2025-12-31',
      catchup: true,
      max_active_runs: 2,
      deadline: '2h',
      enabled: false,
    });
  });

  it('writes an interval, leaves UTC out, and removes the schedule when the text is empty', () => {
    const draft = draftFromSchedule(null);
    assert.deepEqual(scheduleFromDraft({ ...draft, text: '15m' }, null), { interval: '15m' });
    assert.equal(scheduleFromDraft(draft, null), null);
  });

  it('knows when nothing changed', () => {
    assert.equal(draftChanged(draftFromSchedule(saved), saved), false);
    assert.equal(draftChanged({ ...draftFromSchedule(saved), timezone: 'UTC' }, saved), true);
  });
});
