import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateDistinct } from './estimate-distinct.ts';

describe('estimateDistinct', () => {
  it('scales values that never recur by the share sampled', () => {
    assert.equal(estimateDistinct({ distinct: 1000, once: 1000, pairs: 1000, sampledShare: 0.1 }), 10_000);
  });

  it('takes values found in every sampled row group as all there are', () => {
    assert.equal(estimateDistinct({ distinct: 5, once: 0, pairs: 20, sampledShare: 0.1 }), 5);
  });

  it('gives the count seen when the sample is the whole output', () => {
    assert.equal(estimateDistinct({ distinct: 700, once: 300, pairs: 1500, sampledShare: 1 }), 700);
  });

  it('lands between the two when some values sit in one row group only', () => {
    const estimate = estimateDistinct({ distinct: 1000, once: 500, pairs: 2000, sampledShare: 0.25 });
    assert.ok(estimate > 1000 && estimate < 4000, String(estimate));
    assert.equal(Math.round(estimate), Math.round(1000 / (1 - 0.75 * 0.25)));
  });

  it('is zero for a column with no values', () => {
    assert.equal(estimateDistinct({ distinct: 0, once: 0, pairs: 0, sampledShare: 0.5 }), 0);
  });
});
