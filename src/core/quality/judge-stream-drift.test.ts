import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftFinding } from './compare-fingerprints.ts';
import { streamDriftAction } from './judge-stream-drift.ts';

const added: DriftFinding = { column: 'channel', kind: 'added_column', after: 'VARCHAR', schema: true, message: 'new column channel VARCHAR' };
const dropped: DriftFinding = { column: 'note', kind: 'dropped_column', before: 'VARCHAR', schema: true, message: 'column note VARCHAR was dropped' };
const format: DriftFinding = { column: 'sold_on', kind: 'format_changed', before: '9999-99-99', after: '99/99/9999', schema: false, establishedShape: '9999-99-99', message: 'format of sold_on changed' };
const nulls: DriftFinding = { column: 'sold_on', kind: 'null_rate_jump', before: '0%', after: '50%', schema: false, message: 'null rate of sold_on jumped' };
const passed = { refused: false, rejected: 0 };

describe('streamDriftAction', () => {
  it('under evolve, accepts a change of columns and warns about a change in values', () => {
    assert.deepEqual([added, dropped, format, nulls].map((f) => streamDriftAction('evolve', f, passed)), ['accepted', 'accepted', 'warned', 'warned']);
  });

  it('under freeze, fails a change of columns the contract refused, and warns when the table still takes the rows', () => {
    assert.equal(streamDriftAction('freeze', added, { refused: true, rejected: 0 }), 'failed');
    assert.equal(streamDriftAction('freeze', added, passed), 'warned');
    assert.equal(streamDriftAction('freeze', format, { refused: true, rejected: 0 }), 'warned');
  });

  it('under discard_row, discards the rows that break a shape or did not fit, and warns about what no row can be blamed for', () => {
    assert.equal(streamDriftAction('discard_row', format, passed), 'discarded');
    assert.equal(streamDriftAction('discard_row', added, { refused: false, rejected: 2 }), 'discarded');
    assert.equal(streamDriftAction('discard_row', added, passed), 'warned');
    assert.equal(streamDriftAction('discard_row', dropped, { refused: false, rejected: 2 }), 'warned');
    assert.equal(streamDriftAction('discard_row', nulls, passed), 'warned');
  });
});
