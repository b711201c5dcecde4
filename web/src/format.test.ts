import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactDuration, formatCell, formatSchedule, parseScheduleText } from './format.ts';

describe('display helpers', () => {
  it('writes typed schedule text in the pipeline file form: cron or interval, keeping a time zone', () => {
    assert.deepEqual(parseScheduleText('0 6 * * *'), { cron: '0 6 * * *' });
    assert.deepEqual(parseScheduleText(' 30m '), { interval: '30m' });
    assert.deepEqual(parseScheduleText('1h', 'Europe/Paris'), { interval: '1h', timezone: 'Europe/Paris' });
    assert.equal(parseScheduleText('  '), null);
  });

  it('shows a schedule as the file writes it', () => {
    assert.equal(formatSchedule({ cron: '0 6 * * *', timezone: 'UTC' }), '0 6 * * *');
    assert.equal(formatSchedule({ interval: 5_400_000 }), '90m');
    assert.equal(formatSchedule(null), '—');
    assert.equal(compactDuration(86_400_000), '1d');
    assert.equal(compactDuration(1500), '1500ms');
  });

  it('turns every cell value into text, markup included as it is', () => {
    assert.equal(formatCell(null), 'NULL');
    assert.equal(formatCell('<b>x</b>'), '<b>x</b>');
    assert.equal(formatCell({ a: 1 }), '{"a":1}');
  });
});
