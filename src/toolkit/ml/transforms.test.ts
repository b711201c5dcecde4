import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTransforms } from './apply-transforms.ts';
import { fitTransforms } from './fit-transforms.ts';

const train = [
  { amount: 10, country: 'FR', size: 'S' },
  { amount: 20, country: 'DE', size: 'M' },
  { amount: 30, country: 'FR', size: 'L' },
  { amount: null, country: null, size: 'M' },
];
const test = [
  { amount: 40, country: 'ES', size: 'S' },
  { amount: '25', country: 'DE', size: 'XL' },
];

describe('fitTransforms', () => {
  it('learns means, ranges and categories from the training rows only, as plain JSON', () => {
    const fitted = fitTransforms(train, {
      amount: { scale: 'standard' },
      country: { encode: 'one_hot', unseen: 'ignore' },
      size: { encode: 'ordinal', categories: ['S', 'M', 'L', 'XL'] },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(fitted)), {
      version: 1,
      fittedOnRows: 4,
      columns: {
        amount: { kind: 'standard', mean: 20, std: Math.sqrt(200 / 3) },
        country: { kind: 'one_hot', categories: ['DE', 'FR'], unseen: 'ignore' },
        size: { kind: 'ordinal', categories: ['S', 'M', 'L', 'XL'], unseen: 'error' },
      },
    });
  });

  it('refuses a setting it does not know, naming the column', () => {
    assert.throws(() => fitTransforms(train, { amount: { scale: 'log' } as never }), /column 'amount'/);
  });

  it('refuses text in a scaled column, naming the rows', () => {
    assert.throws(() => fitTransforms([{ amount: 1 }, { amount: 'n/a' }], { amount: { scale: 'min_max' } }), /column 'amount' is not a number in training row 2 \("n\/a"\)/);
  });
});

describe('applyTransforms', () => {
  const fitted = fitTransforms(train, { amount: { scale: 'min_max' }, country: { encode: 'one_hot', unseen: 'ignore' } });

  it('scales with the training range and encodes with the training categories, unseen ones as all zeros', () => {
    assert.deepEqual(applyTransforms(test, fitted), [
      { amount: 1.5, size: 'S', country_DE: 0, country_FR: 0 },
      { amount: 0.75, size: 'XL', country_DE: 1, country_FR: 0 },
    ]);
  });

  it('keeps missing values missing', () => {
    assert.deepEqual(applyTransforms([train[3]!], fitted), [{ amount: null, size: 'M', country_DE: null, country_FR: null }]);
  });

  it('standardises with the training mean and population standard deviation', () => {
    const standard = fitTransforms([{ x: 1 }, { x: 3 }], { x: { scale: 'standard' } });
    assert.deepEqual(applyTransforms([{ x: 1 }, { x: 3 }, { x: 5 }], standard), [{ x: -1 }, { x: 1 }, { x: 3 }]);
  });

  it('scales a column that was constant in training to 0 rather than dividing by zero', () => {
    const constant = fitTransforms([{ x: 4 }, { x: 4 }], { x: { scale: 'standard' } });
    assert.deepEqual(applyTransforms([{ x: 4 }, { x: 6 }], constant), [{ x: 0 }, { x: 2 }]);
  });

  it('codes ordinal categories by position, -1 for an unseen one under unseen: ignore', () => {
    const ordinal = fitTransforms(train, { size: { encode: 'ordinal', unseen: 'ignore' } });
    assert.deepEqual(applyTransforms(test, ordinal).map((row) => row.size), [2, -1]);
  });

  it('fails on a category training never saw when unseen is error, naming the column, side, rows and value', () => {
    const strict = fitTransforms(train, { country: { encode: 'one_hot' } });
    assert.throws(() => applyTransforms(test, strict, 'test'), /column 'country' holds categories the training rows did not have in test row 1 \(first 'ES'\)/);
  });
});
