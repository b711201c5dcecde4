import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoLeaks, findLeaks } from './check-leakage.ts';

const train = [
  { customer: 'ann', as_of: '2024-03-01', orders_30d: 3, orders_at: '2024-02-28', placed: '2024-03-01' },
  { customer: 'bob', as_of: '2024-03-01', orders_30d: 5, orders_at: '2024-03-04', placed: '2024-03-02' },
];
const test = [
  { customer: 'cy', as_of: '2024-04-01', orders_30d: 1, orders_at: '2024-04-01', placed: '2024-04-01' },
  { customer: 'bob', as_of: '2024-04-01', orders_30d: 2, orders_at: '2024-04-02T09:00:00Z', placed: '2024-03-01' },
];

describe('findLeaks', () => {
  it('finds features computed from data after the row was predicted, groups on both sides, and test rows not after train', () => {
    const leaks = findLeaks({ train, test }, { asOf: 'as_of', featureTimes: { orders_30d: 'orders_at' }, group: 'customer', time: 'placed' });
    assert.deepEqual(leaks.map(({ kind, column, side, rows }) => ({ kind, column, side, rows })), [
      { kind: 'future_feature', column: 'orders_30d', side: 'train', rows: [2] },
      { kind: 'future_feature', column: 'orders_30d', side: 'test', rows: [2] },
      { kind: 'group_on_both_sides', column: 'customer', side: 'test', rows: [2] },
      { kind: 'time_overlap', column: 'placed', side: 'test', rows: [2] },
    ]);
    assert.equal(leaks[0]!.message, "feature 'orders_30d' is computed from data after 'as_of' in train row 2 (orders_at 2024-03-04 > as_of 2024-03-01)");
    assert.equal(leaks[2]!.message, "column 'customer' has a group on both sides ('bob') in test row 2");
  });

  it('finds nothing in a clean split (a feature computed at the as-of time is not late)', () => {
    assert.deepEqual(findLeaks({ train, test: [test[0]!] }, { asOf: 'as_of', featureTimes: { orders_30d: 'orders_at' }, group: 'customer', time: 'placed' }).filter((l) => l.side === 'test'), []);
  });

  it('refuses featureTimes without asOf', () => {
    assert.throws(() => findLeaks({ train, test }, { featureTimes: { orders_30d: 'orders_at' } }), /featureTimes needs asOf/);
  });
});

describe('assertNoLeaks', () => {
  it('fails naming every leak', () => {
    assert.throws(
      () => assertNoLeaks({ train, test }, { group: 'customer' }),
      (error: Error & { code?: string }) => error.code === 'toolkit.leakage' && /column 'customer' has a group on both sides \('bob'\) in test row 2/.test(error.message),
    );
  });

  it('passes a split without leaks', () => {
    assert.doesNotThrow(() => assertNoLeaks({ train, test: [test[0]!] }, { group: 'customer', time: 'placed' }));
  });
});
