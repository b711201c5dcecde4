import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../../core/errors.ts';
import { parseDates } from './parse-dates.ts';

describe('parseDates', () => {
  it('settles day-first from one unambiguous value in the column', () => {
    const { values, report } = parseDates(['03/04/2024', '25/12/2023']);
    assert.equal(values[0]!.value, '2024-04-03');
    assert.deepEqual(report.dayOrder, { '/YYYY': 'day-first' });
  });

  it('flags 03/04/2024 as ambiguous when nothing in the column settles the order, naming both readings', () => {
    const [result] = parseDates(['03/04/2024']).values;
    assert.equal(result!.flag, 'ambiguous');
    assert.match(result!.reason!, /3 April 2024 or 4 March 2024/);
  });

  it('counts the formats it saw and the flags it raised', () => {
    const { report } = parseDates(['2024-01-02', '2024-01-03', '5 March 2024', '02/30/2024', 'soon', null]);
    assert.deepEqual(report.formats, { 'YYYY-MM-DD': 2, 'D MMMM YYYY': 1, 'MM/DD/YYYY or DD/MM/YYYY': 1 });
    assert.deepEqual(report.counts, { cleaned: 3, empty: 1, ambiguous: 0, invalid: 1, unrecognised: 1, review: 0 });
  });

  it('resolves relative dates against the given logical date, so reruns agree', () => {
    const logical = new Date('2024-03-10T23:30:00Z');
    const first = parseDates(['yesterday', 'Last Tuesday'], { relativeTo: logical }).values;
    const rerun = parseDates(['yesterday', 'Last Tuesday'], { relativeTo: logical }).values;
    assert.deepEqual(first, rerun);
    assert.deepEqual(first.map((r) => r.value), ['2024-03-09', '2024-03-05']);
  });

  it('takes the logical day in the column zone when the logical date is an instant', () => {
    const { values } = parseDates(['today'], { relativeTo: new Date('2024-03-10T23:30:00Z'), timezone: 'Asia/Tokyo' });
    assert.equal(values[0]!.value, '2024-03-11');
  });

  it('accepts the logical date of an hourly run, an instant in UTC', () => {
    assert.equal(parseDates(['yesterday'], { relativeTo: '2024-03-10T05:00:00.000Z' }).values[0]!.value, '2024-03-09');
  });

  it('refuses a logical date whose time has no zone', () => {
    assert.throws(() => parseDates([], { relativeTo: '2024-03-10T05:00' }), (error: SluiceError) => error.code === 'toolkit.bad_relative_to');
  });

  it('reads Date objects and numbers as well as text', () => {
    const { values } = parseDates([new Date('2024-03-05T10:00:00Z'), 1709251200, 20240305]);
    assert.deepEqual(values.map((r) => r.value), ['2024-03-05T10:00:00.000Z', '2024-03-01T00:00:00.000Z', '2024-03-05']);
  });

  it('refuses a format it does not know, listing the ones it does', () => {
    assert.throws(() => parseDates([], { formats: ['dd/mm/yyyy'] }), (error: SluiceError) => error.code === 'toolkit.unknown_date_format' && /DD\/MM\/YYYY/.test(error.message));
  });

  it('refuses a time zone that does not exist', () => {
    assert.throws(() => parseDates([], { timezone: 'Mars/Olympus' }), (error: SluiceError) => error.code === 'toolkit.unknown_time_zone');
  });
});
