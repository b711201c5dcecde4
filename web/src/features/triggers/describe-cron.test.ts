import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCron, describeInterval, describeSchedule } from './describe-cron.ts';

describe('describeCron', () => {
  const table: readonly (readonly [cron: string, words: string, timezone?: string])[] = [
    // every day, with and without a zone
    ['0 6 * * *', 'every day at 06:00 Europe/Berlin', 'Europe/Berlin'],
    ['0 6 * * *', 'every day at 06:00'],
    ['0 6,18 * * *', 'every day at 06:00 and 18:00'],
    // steps
    ['*/15 * * * *', 'every 15 minutes', 'Europe/Berlin'],
    ['* * * * *', 'every minute'],
    ['*/1 * * * *', 'every minute'],
    ['0 * * * *', 'every hour'],
    ['30 * * * *', 'every hour at minute 30'],
    ['0 */2 * * *', 'every 2 hours'],
    ['15 */6 * * *', 'every 6 hours at minute 15'],
    ['0,30 * * * *', 'at minutes 0 and 30 of every hour'],
    // ranges
    ['0 9-17 * * *', 'every hour from 09:00 to 17:00'],
    ['*/10 9-17 * * 1-5', 'every 10 minutes from 09:00 to 17:59 on Monday to Friday'],
    ['0 9 * * 1-5', 'at 09:00 UTC on Monday to Friday', 'UTC'],
    // lists and names
    ['30 9 * * 1,5', 'at 09:30 on Monday and Friday'],
    ['30 9 * * MON,FRI', 'at 09:30 on Monday and Friday'],
    ['0 9 * * mon-fri', 'at 09:00 on Monday to Friday'],
    ['0 8 * * 0', 'at 08:00 on Sunday'],
    ['0 8 * * 7', 'at 08:00 on Sunday'],
    ['0 8 * * 1,3,5', 'at 08:00 on Monday, Wednesday and Friday'],
    ['0 0 1 * *', 'at 00:00 on day 1 of every month'],
    ['0 0 1,15 * *', 'at 00:00 on days 1 and 15 of every month'],
    ['0 0 1 1 *', 'at 00:00 on day 1 of January'],
    ['0 0 1 JAN,JUL *', 'at 00:00 on day 1 of January and July'],
    ['0 12 * 6-8 *', 'at 12:00 in June to August'],
    ['0 12 * 12 SAT', 'at 12:00 on Saturday in December'],
    // macros
    ['@daily', 'every day at 00:00 Europe/Paris', 'Europe/Paris'],
    ['@hourly', 'every hour'],
    ['@weekly', 'at 00:00 on Sunday'],
    ['@monthly', 'at 00:00 on day 1 of every month'],
    ['@yearly', 'at 00:00 on day 1 of January'],
    ['@annually', 'at 00:00 on day 1 of January'],
  ];
  for (const [cron, words, timezone] of table) {
    it(`reads '${cron}'${timezone ? ` in ${timezone}` : ''} as "${words}"`, () => assert.equal(describeCron(cron, timezone), words));
  }

  // Shapes with no honest short sentence come back as written.
  const unsupported = [
    '0 0 1 * 1', // either day field may match: cron's OR
    '*/7 * * * *', // restarts each hour: not every 7 minutes
    '0 */5 * * *', // restarts each day: not every 5 hours
    '5/15 * * * *',
    '0 0 */2 * *',
    '0 0 * */3 *',
    '1-5 * * * *',
    '0 1,2,3,4,5,6,7 * * *',
    '0 9 * * 8',
    '61 * * * *',
    '0 0 * * * *',
    '@midnight',
    'not a cron',
    '',
  ];
  for (const cron of unsupported) {
    it(`falls back to the cron text for '${cron}'`, () => assert.equal(describeCron(cron, 'Europe/Berlin'), cron));
  }
});

describe('describeSchedule', () => {
  it('reads an interval in its largest whole unit', () => {
    assert.equal(describeInterval(900_000), 'every 15 minutes');
    assert.equal(describeInterval(3_600_000), 'every hour');
    assert.equal(describeInterval(90_000), 'every 90 seconds');
    assert.equal(describeInterval(172_800_000), 'every 2 days');
  });

  it('reads a schedule as the file holds it, cron with its zone or interval', () => {
    assert.equal(describeSchedule({ cron: '0 6 * * *', timezone: 'Europe/Berlin' }), 'every day at 06:00 Europe/Berlin');
    assert.equal(describeSchedule({ interval: 1_800_000, timezone: 'UTC' }), 'every 30 minutes');
  });
});
