import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStreetAddresses } from './parse-street-addresses.ts';

describe('parseStreetAddresses', () => {
  it('writes street lines the USPS way, whatever their casing, dots and spelling of the suffix, directional and unit', () => {
    const cases: [string, string][] = [
      ['123 north main street apt 4b', '123 N Main St Apt 4B'],
      ['9 W. 5TH AVE., STE. 200', '9 W 5th Ave Ste 200'],
      ['1600 Pennsylvania Avenue NW', '1600 Pennsylvania Ave NW'],
      ['42 Elm Blvd. Suite 3', '42 Elm Blvd Ste 3'],
      ['7 oak court #12', '7 Oak Ct # 12'],
      ['15 North St', '15 North St'],
      ['88 Park Ave', '88 Park Ave'],
      ['500 E Old Mill Road, Building 2, Floor 3', '500 E Old Mill Rd Bldg 2 Fl 3'],
      ['12 McDonald Parkway', '12 McDonald Pkwy'],
      ['3 Broadway', '3 Broadway'],
      ['221B baker street', '221B Baker St'],
      ['10 Downing', '10 Downing'],
      ['1 Infinite Loop', '1 Infinite Loop'],
      ['350 Fifth Avenue Southwest', '350 Fifth Ave SW'],
      ['123 Post Office Road', '123 Post Office Rd'],
      ['4 Unit Street Apt C', '4 Unit St Apt C'],
      ['8 Elm St Penthouse', '8 Elm St Ph'],
      ['77\tsunset  BOULEVARD,\u00a0apt. 9', '77 Sunset Blvd Apt 9'],
    ];
    const { values } = parseStreetAddresses(cases.map(([input]) => input));
    assert.deepEqual(values.map((v) => v.value), cases.map(([, expected]) => expected));
    assert.ok(values.every((v) => !v.flag && !v.reason), JSON.stringify(values));
  });

  it('writes PO boxes one way', () => {
    const { values } = parseStreetAddresses(['P.O. Box 77', 'po box 5', 'Post Office Box 9', 'BOX 12', 'P. O. Box 3']);
    assert.deepEqual(values.map((v) => v.value), ['PO Box 77', 'PO Box 5', 'PO Box 9', 'PO Box 12', 'PO Box 3']);
  });

  it('corrects a suffix one letter off only when one suffix is that near, saying so', () => {
    const { values, report } = parseStreetAddresses(['12 Main Stret', '4 Ocean Avenoe', '9 Lake Bulevard', '5 Hill Raod']);
    assert.deepEqual(values[0], { value: '12 Main St', reason: 'read "Stret" as St' });
    assert.deepEqual(values[1], { value: '4 Ocean Ave', reason: 'read "Avenoe" as Ave' });
    assert.deepEqual(values[2], { value: '9 Lake Blvd', reason: 'read "Bulevard" as Blvd' });
    // Four letters is too short to correct: 'Raod' is kept as a word of the name.
    assert.deepEqual(values[3], { value: '5 Hill Raod' });
    assert.equal(report.corrected, 3);
  });

  it('flags a line with no house number or street instead of guessing, and leaves missing values unflagged', () => {
    const { values, report } = parseStreetAddresses(['Main Street', 'care of the front desk', '12', null, '  ']);
    assert.deepEqual(values[0], { value: null, flag: 'unrecognised', reason: '"Main Street" has no house number or PO box' });
    assert.equal(values[1]!.flag, 'unrecognised');
    assert.deepEqual(values[2], { value: null, flag: 'unrecognised', reason: '"12" has no street name' });
    assert.deepEqual(values.slice(3), [{ value: null }, { value: null }]);
    assert.deepEqual(report.counts, { cleaned: 0, empty: 2, ambiguous: 0, invalid: 0, unrecognised: 3, review: 0 });
  });
});
