import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidSlotName } from '../core/pipeline/cdc-settings.ts';
import { cdcNames } from './cdc-names.ts';
import { formatLsn, parseLsn } from './lsn.ts';

describe('WAL positions', () => {
  it('round-trips through text and orders by value, not by text', () => {
    assert.equal(formatLsn(parseLsn('16/B374D848')), '16/B374D848');
    assert.ok(parseLsn('0/A0000000') > parseLsn('0/9FFFFFFF'));
    assert.ok(parseLsn('1/0') > parseLsn('0/FFFFFFFF'));
  });

  it('rejects text that is not a position', () => {
    assert.throws(() => parseLsn('16-B374'), /not a WAL position/);
  });
});

describe('slot and publication names', () => {
  it('are valid slot names and differ for names that fold alike', () => {
    const a = cdcNames('Orders.Sync');
    const b = cdcNames('orders_sync');
    assert.ok(isValidSlotName(a.slot));
    assert.ok(isValidSlotName(b.slot));
    assert.notEqual(a.slot, b.slot);
    assert.ok(cdcNames('x'.repeat(200)).slot.length <= 63);
    assert.notEqual(cdcNames('orders', 'shop').slot, cdcNames('orders', 'crm').slot);
  });
});
