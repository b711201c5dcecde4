import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededFraction } from './seeded-fraction.ts';
import { splitByGroup, splitByTime, splitStratified } from './split-rows.ts';

const ids = (rows: readonly { id: number }[]) => rows.map((row) => row.id);
const orders = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, customer: ['ann', 'bob', 'cy', 'dee'][i % 4]!, churned: i % 3 === 0 }));

describe('seededFraction', () => {
  it('gives the same number for the same seed and key, on every run', () => {
    assert.equal(seededFraction(42, 'ann'), 0.3940375930097546);
    assert.equal(seededFraction('42', 'ann'), seededFraction(42, 'ann'));
    assert.notEqual(seededFraction(43, 'ann'), seededFraction(42, 'ann'));
  });
});

describe('splitByTime', () => {
  const rows = [
    { id: 1, at: '2024-05-31' },
    { id: 2, at: '2024-06-01T00:00:00Z' },
    { id: 3, at: '2024-05-31T23:59:59.999Z' },
    { id: 4, at: new Date('2024-07-01T00:00:00Z') },
    { id: 5, at: Date.parse('2024-01-01T00:00:00Z') },
  ];

  it('puts rows strictly before the cutoff in train and the rest in test, keeping their order', () => {
    const { train, test } = splitByTime(rows, { column: 'at', cutoff: '2024-06-01' });
    assert.deepEqual(ids(train), [1, 3, 5]);
    assert.deepEqual(ids(test), [2, 4]);
  });

  it('fails on rows without a readable time, naming the column and rows', () => {
    const bad = [...rows, { id: 6, at: null }, { id: 7, at: '2024-06-01 10:00' }];
    assert.throws(() => splitByTime(bad, { column: 'at', cutoff: '2024-06-01' }), /column 'at' has no readable time in rows 6 and 7/);
  });
});

describe('splitByGroup', () => {
  it('keeps every row of a group on one side, the side fixed by the seed', () => {
    const { train, test } = splitByGroup(orders, { column: 'customer', testFraction: 0.5, seed: 42 });
    // ann (0.394) and dee (0.312) hash below 0.5; bob and cy do not.
    assert.deepEqual(ids(test), [1, 4, 5, 8, 9, 12]);
    assert.deepEqual(ids(train), [2, 3, 6, 7, 10, 11]);
  });

  it('gives the identical split for the same seed, and a group keeps its side as rows are added', () => {
    const first = splitByGroup(orders, { column: 'customer', testFraction: 0.5, seed: 42 });
    const more = [...orders, { id: 13, customer: 'ann', churned: false }, { id: 14, customer: 'eve', churned: false }];
    const again = splitByGroup(more, { column: 'customer', testFraction: 0.5, seed: 42 });
    assert.deepEqual(ids(again.test).filter((id) => id <= 12), ids(first.test));
    assert.ok(ids(again.test).includes(13));
  });

  it('refuses rows without a group, naming them', () => {
    assert.throws(() => splitByGroup([{ customer: 'ann' }, { customer: '' }], { column: 'customer', testFraction: 0.2, seed: 1 }), /column 'customer' has no group in row 2/);
  });

  it('refuses a fraction outside 0 to 1', () => {
    assert.throws(() => splitByGroup(orders, { column: 'customer', testFraction: 20, seed: 1 }), /testFraction 20 is not between 0 and 1/);
  });
});

describe('splitStratified', () => {
  it('sends round(n × fraction) rows of each label to test, chosen by the seeded hash of the key', () => {
    const { train, test } = splitStratified(orders, { column: 'churned', testFraction: 0.25, seed: 7, key: 'id' });
    // 4 churned rows (1, 4, 7, 10) give 1 to test; 8 others give 2.
    assert.deepEqual(ids(test), [2, 6, 7]);
    assert.deepEqual(ids(train), [1, 3, 4, 5, 8, 9, 10, 11, 12]);
  });

  it('chooses the same rows whatever their order when a key column is given', () => {
    const reversed = [...orders].reverse();
    const { test } = splitStratified(reversed, { column: 'churned', testFraction: 0.25, seed: 7, key: 'id' });
    assert.deepEqual(ids(test).sort((a, b) => a - b), [2, 6, 7]);
  });

  it('chooses other rows with another seed', () => {
    assert.deepEqual(ids(splitStratified(orders, { column: 'churned', testFraction: 0.25, seed: 8, key: 'id' }).test), [1, 9, 12]);
  });
});
