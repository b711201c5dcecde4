import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDictionary, type DictionaryFile } from './dictionary-file.ts';
import { standardize } from './standardize.ts';

const dictionaryOf = (data: DictionaryFile) => checkDictionary('shop', 'dictionaries/shop.yaml', { data });
const shop = dictionaryOf({
  values: { Electronics: ['Consumer Electronics'], 'Home & Garden': null, Shirts: [], Skirts: [], Toys: [] },
  reviewed: { Gadgets: 'Electronics', Misc: null },
});

describe('standardize', () => {
  it('maps canonical values, variants and reviewed decisions as written, with score 1', () => {
    const { values } = standardize(['Electronics', 'Consumer Electronics', 'Gadgets'], shop);
    assert.deepEqual(values.map((v) => [v.value, v.score, v.match]), [['Electronics', 1, 'exact'], ['Electronics', 1, 'variant'], ['Electronics', 1, 'reviewed']]);
  });

  it('ignores case, accents, punctuation and "and" before matching by similarity', () => {
    const { values } = standardize(['HOME AND GARDEN', 'home&garden', 'Électronics', 'consumer-electronics'], shop);
    assert.deepEqual(values.map((v) => [v.value, v.match]), [['Home & Garden', 'folded'], ['Home & Garden', 'folded'], ['Electronics', 'folded'], ['Electronics', 'folded']]);
  });

  it('reads a misspelling above the threshold, with its similarity as the score and a reason', () => {
    const [value] = standardize(['Electrnics'], shop).values;
    assert.equal(value!.value, 'Electronics');
    assert.equal(value!.match, 'fuzzy');
    assert.equal(value!.score, 0.909);
    assert.match(value!.reason!, /"Electrnics" read as "Electronics" \(similarity 0\.91\)/);
  });

  it('counts two swapped letters as one edit', () => {
    const [value] = standardize(['Electornics'], shop).values;
    assert.deepEqual([value!.value, value!.score], ['Electronics', 0.909]);
  });

  it('reads words in another order as the same value', () => {
    assert.equal(standardize(['Garden & Home'], shop).values[0]!.value, 'Home & Garden');
  });

  it('flags a value under the threshold for review, naming the closest values', () => {
    const [value] = standardize(['Electrical'], shop).values;
    assert.equal(value!.value, null);
    assert.equal(value!.flag, 'review');
    assert.equal(value!.candidates![0]!.value, 'Electronics');
    assert.match(value!.reason!, /not in dictionary 'shop' and under the 0\.85 threshold; closest: "Electronics" \(0\.64\)/);
  });

  it('takes a lower threshold when given one', () => {
    assert.equal(standardize(['Electrical'], shop, { threshold: 0.6 }).values[0]!.value, 'Electronics');
  });

  it('flags a tie as ambiguous instead of guessing', () => {
    const [value] = standardize(['Shkirts'], shop).values;
    assert.equal(value!.flag, 'ambiguous');
    assert.deepEqual(value!.candidates!.slice(0, 2).map((c) => c.value), ['Shirts', 'Skirts']);
  });

  it('never matches a short value by similarity', () => {
    assert.equal(standardize(['Toy'], shop, { threshold: 0.5 }).values[0]!.flag, 'review');
  });

  it('flags a value reviewed as none, and leaves empty values empty and unflagged', () => {
    const { values, report } = standardize(['misc', null, '  ', 'Toys'], shop);
    assert.equal(values[0]!.flag, 'unrecognised');
    assert.deepEqual(values[1], { value: null, score: null });
    assert.deepEqual(values[2], { value: null, score: null });
    assert.deepEqual(report.counts, { cleaned: 1, empty: 2, ambiguous: 0, invalid: 0, unrecognised: 1, review: 0 });
  });

  it('looks each distinct value up once', () => {
    const { values, report } = standardize(['Electrnics', 'Electrnics', ' Electrnics '], shop);
    assert.equal(report.distinct, 1);
    assert.equal(values[0], values[2]);
    assert.equal(report.matches.fuzzy, 3);
  });

  it('refuses a threshold outside (0, 1]', () => {
    assert.throws(() => standardize(['x'], shop, { threshold: 1.5 }), /threshold must be above 0 and at most 1/);
  });
});
