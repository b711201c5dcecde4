import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SluiceError } from '../../core/errors.ts';
import { dictionaryFile, loadDictionary } from './dictionary-file.ts';
import { recordDecisions } from './record-decisions.ts';
import { standardize } from './standardize.ts';

describe('dictionary files', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-dictionary-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'dictionaries'));
  const write = (name: string, text: string) => writeFileSync(path.join(root, 'dictionaries', `${name}.yaml`), text);
  const failure = (name: string): SluiceError => {
    try {
      loadDictionary(root, name);
    } catch (error) {
      return error as SluiceError;
    }
    return assert.fail('expected the dictionary to be refused');
  };

  it('refuses a schema error, naming file and line', () => {
    write('bad', 'values:\n  Books: [Book]\n  Toys: 3\n');
    const error = failure('bad');
    assert.equal(error.describe(), 'dictionaries/bad.yaml:3:9: values.Toys: Invalid input: expected array, received number');
  });

  it('refuses a variant two values claim, naming the line of the second', () => {
    write('clash', 'values:\n  Books: [Comics]\n  Comics & Manga: [comics]\n');
    assert.match(failure('clash').describe(), /^dictionaries\/clash\.yaml:3:.*'comics' is written like 'Books'/);
  });

  it('refuses a decision naming no value of the dictionary', () => {
    write('decided', 'values:\n  Books: []\nreviewed:\n  Comix: Comics\n');
    assert.match(failure('decided').describe(), /^dictionaries\/decided\.yaml:4:.*reviewed 'Comix' as 'Comics', which is not a value/);
  });

  it('refuses a name that is a path, and says when the file is missing', () => {
    assert.throws(() => dictionaryFile('../secrets'), /not a dictionary name/);
    assert.match(failure('nowhere').describe(), /no dictionary 'nowhere': dictionaries\/nowhere\.yaml does not exist/);
  });

  it('writes decisions into reviewed:, keeping comments and order, so the value then maps exactly', () => {
    write('shop', '# Our categories\nvalues:\n  # the big one\n  Electronics: [Gadgets]\n  Books: []\n');
    assert.equal(standardize(['Electrical'], loadDictionary(root, 'shop')).values[0]!.flag, 'review');
    recordDecisions(root, 'shop', [{ value: 'Electrical', canonical: 'Electronics' }, { value: 'Misc', canonical: null }]);
    const text = readFileSync(path.join(root, 'dictionaries/shop.yaml'), 'utf8');
    assert.equal(text, '# Our categories\nvalues:\n  # the big one\n  Electronics: [Gadgets]\n  Books: []\nreviewed:\n  Electrical: Electronics\n  Misc: null\n');
    const [value] = standardize(['Electrical'], loadDictionary(root, 'shop')).values;
    assert.deepEqual([value!.value, value!.match, value!.score], ['Electronics', 'reviewed', 1]);
    recordDecisions(root, 'shop', [{ value: 'Electrical', canonical: 'Books' }]);
    assert.match(readFileSync(path.join(root, 'dictionaries/shop.yaml'), 'utf8'), /reviewed:\n {2}Electrical: Books\n {2}Misc: null\n$/);
  });

  it('leaves the file as it was when a decision names no value', () => {
    write('kept', 'values:\n  Books: []\n');
    assert.throws(() => recordDecisions(root, 'kept', [{ value: 'Comix', canonical: 'Comics' }]), /not a value of the dictionary/);
    assert.equal(readFileSync(path.join(root, 'dictionaries/kept.yaml'), 'utf8'), 'values:\n  Books: []\n');
  });
});
