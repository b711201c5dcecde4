import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidSlotName } from '../core/pipeline/cdc-settings.ts';
import { cdcNames } from './cdc-names.ts';

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
