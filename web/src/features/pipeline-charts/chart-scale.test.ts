import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceMax, shortNumber } from './chart-scale.ts';

describe('chart scales', () => {
  it('rounds an axis top up to 1, 2 or 5 times a power of ten', () => {
    assert.deepEqual([niceMax(0), niceMax(0.3), niceMax(7), niceMax(10), niceMax(11), niceMax(4_749_691)], [1, 0.5, 10, 10, 20, 5_000_000]);
  });
  it('writes axis numbers short', () => {
    assert.deepEqual([shortNumber(12), shortNumber(1500), shortNumber(2_000_000), shortNumber(3_400_000_000)], ['12', '1.5k', '2M', '3.4G']);
  });
});
