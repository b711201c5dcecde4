import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzyMatch } from './fuzzy-match.ts';

describe('fuzzyMatch', () => {
  it('finds the query\'s characters in order, ignoring case and spaces', () => {
    assert.deepEqual(fuzzyMatch('shp ord', 'shop › orders')?.at, [0, 1, 3, 7, 8, 9]);
    assert.ok(fuzzyMatch('DAILY', 'daily_sales'));
  });

  it('matches the query\'s words in any order', () => {
    assert.ok(fuzzyMatch('failed broken', '20261206-1200 broken failed'));
    assert.equal(fuzzyMatch('failed nothing', '20261206-1200 broken failed'), undefined);
  });

  it('refuses a text that lacks a character or has them out of order', () => {
    assert.equal(fuzzyMatch('xyz', 'daily_sales'), undefined);
    assert.equal(fuzzyMatch('sd', 'daily_sales'), undefined);
    assert.ok(fuzzyMatch('dsl', 'daily_sales'));
    assert.equal(fuzzyMatch('ds', 'sd'), undefined);
  });

  it('ranks a whole substring above scattered characters, and a word start above the middle of a word', () => {
    const substring = fuzzyMatch('ord', 'orders')!.score;
    const scattered = fuzzyMatch('ord', 'old_records')!.score;
    assert.ok(substring > scattered, `${substring} > ${scattered}`);
    assert.ok(fuzzyMatch('sales', 'sales_daily')!.score > fuzzyMatch('sales', 'wholesales')!.score);
  });

  it('prefers word starts when the letters also appear earlier inside a word', () => {
    assert.deepEqual(fuzzyMatch('ds', 'daily_sales')?.at, [0, 6]);
  });

  it('matches everything with an empty query', () => {
    assert.deepEqual(fuzzyMatch('  ', 'anything'), { score: 0, at: [] });
  });
});
