import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../../core/errors.ts';
import { parsePhones } from './parse-phones.ts';

describe('parsePhones', () => {
  it('flags a number without a country code as ambiguous when no default region is given', () => {
    const [local, international] = parsePhones(['020 7946 0958', '+44 20 7946 0958']).values;
    assert.equal(local!.flag, 'ambiguous');
    assert.equal(international!.value, '+442079460958');
  });

  it('keeps an extension apart from the E.164 number', () => {
    const [result] = parsePhones(['(202) 456-1111 x 42'], { defaultRegion: 'us' }).values;
    assert.deepEqual(result, { value: '+12024561111', region: 'US', type: 'fixed_line_or_mobile', extension: '42' });
  });

  it('reports regions and types per column', () => {
    const { report } = parsePhones(['+44 7400 123456', '+44 7400 123456', '+33 1 23 45 67 89', '12'], { defaultRegion: 'FR' });
    assert.deepEqual(report.regions, { GB: 2, FR: 1 });
    assert.deepEqual(report.types, { mobile: 2, fixed_line: 1 });
    assert.equal(report.counts.invalid, 1);
  });

  it('refuses a default region with no numbering plan', () => {
    assert.throws(() => parsePhones([], { defaultRegion: 'XX' }), (error: SluiceError) => error.code === 'toolkit.unknown_region');
  });
});
