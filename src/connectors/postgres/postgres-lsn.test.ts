import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareLsn, formatLsn, parseLsn } from './postgres-lsn.ts';

describe('WAL positions', () => {
  it('round-trips through text and orders by value, not by text', () => {
    assert.equal(formatLsn(parseLsn('16/B374D848')), '16/B374D848');
    assert.ok(parseLsn('0/A0000000') > parseLsn('0/9FFFFFFF'));
    assert.ok(parseLsn('1/0') > parseLsn('0/FFFFFFFF'));
    assert.ok(compareLsn('0/A0000000', '0/9FFFFFFF') > 0);
    assert.ok(compareLsn('0/FFFFFFFF', '1/0') < 0);
    assert.equal(compareLsn('1/0', '1/0'), 0);
  });

  it('rejects text that is not a position', () => {
    assert.throws(() => parseLsn('16-B374'), /not a WAL position/);
  });
});
