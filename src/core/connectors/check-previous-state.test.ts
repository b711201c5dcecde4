import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonical, checkPreviousState } from './check-previous-state.ts';
import type { SyncBatch } from './sync-destination.ts';

const batch = (previousState: SyncBatch['previousState']): SyncBatch => ({ pipeline: 'p', stream: 's', previousState } as unknown as SyncBatch);

describe('the state a batch follows', () => {
  it('reads a state the database handed back with its keys in another order as the same, in objects inside lists too', () => {
    const written = { cursor: 7, window: { open: [{ start: 0, group: 'a', n: 2 }], watermark: 10 } };
    const readBack = { window: { watermark: 10, open: [{ n: 2, group: 'a', start: 0 }] }, cursor: 7 };
    assert.equal(canonical(readBack), canonical(written));
    assert.doesNotThrow(() => checkPreviousState(batch(written), readBack, 'pg'));
  });

  it('refuses a batch whose stream another sync moved on, and keeps the order of a list', () => {
    assert.throws(() => checkPreviousState(batch({ cursor: 7 }), { cursor: 8 }, 'pg'), /changed while this sync ran/);
    assert.notEqual(canonical({ open: [1, 2] }), canonical({ open: [2, 1] }));
    assert.throws(() => checkPreviousState(batch(null), { cursor: 1 }, 'pg'), /changed while this sync ran/);
    assert.doesNotThrow(() => checkPreviousState(batch(undefined), { cursor: 1 }, 'pg'));
  });
});
