import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCountries } from './parse-countries.ts';
import { editDistance } from './place-index.ts';
import { parseUsStates } from './parse-us-states.ts';

describe('parseUsStates', () => {
  it('decides per column whether "Ms." is Mississippi', () => {
    assert.equal(parseUsStates(['Ms.', 'Texas']).values[0]!.value, 'MS');
    const mixed = parseUsStates(['Ms.', 'Texas', 'Dr.']);
    assert.equal(mixed.values[0]!.flag, 'ambiguous');
    assert.equal(mixed.report.columnHasTitles, true);
  });

  it('says when it corrected a spelling, and counts the corrections', () => {
    const { values, report } = parseUsStates(['Tennesee', 'Tennesee', 'Ohio'], { output: 'name' });
    assert.deepEqual(values[0], { value: 'Tennessee', reason: 'read "Tennesee" as Tennessee, 1 letter apart' });
    assert.equal(report.corrected, 2);
  });
});

describe('parseCountries', () => {
  it('gives alpha-3 codes or names on request', () => {
    assert.deepEqual(parseCountries(['Allemagne', 'gb'], { output: 'alpha3' }).values.map((r) => r.value), ['DEU', 'GBR']);
    assert.deepEqual(parseCountries(['DEU'], { output: 'name' }).values.map((r) => r.value), ['Germany']);
  });
});

describe('editDistance', () => {
  it('counts a swap of neighbours as one edit and stops past the limit', () => {
    assert.equal(editDistance('iwoa', 'iowa', 3), 1);
    assert.equal(editDistance('kansas', 'arkansas', 3), 2);
    assert.equal(editDistance('ohio', 'mississippi', 2), 3);
  });
});
