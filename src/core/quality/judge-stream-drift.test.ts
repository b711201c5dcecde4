import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftFinding } from './compare-fingerprints.ts';
import { streamDriftAction } from './judge-stream-drift.ts';
import { resolveStreamDrift, streamDriftSettingsSchema } from './drift-settings.ts';

const added: DriftFinding = { column: 'channel', kind: 'added_column', after: 'VARCHAR', schema: true, message: 'new column channel VARCHAR' };
const dropped: DriftFinding = { column: 'note', kind: 'dropped_column', before: 'VARCHAR', schema: true, message: 'column note VARCHAR was dropped' };
const format: DriftFinding = { column: 'sold_on', kind: 'format_changed', before: '9999-99-99', after: '99/99/9999', schema: false, establishedShape: '9999-99-99', message: 'format of sold_on changed' };
const nulls: DriftFinding = { column: 'sold_on', kind: 'null_rate_jump', before: '0%', after: '50%', schema: false, message: 'null rate of sold_on jumped' };
const passed = { refused: false, rejected: 0 };
const textInNumber: DriftFinding = { column: 'qty', kind: 'text_in_number', before: 'BIGINT', after: 'VARCHAR', schema: true, establishedShape: 'number', message: 'column qty was BIGINT and now carries text (VARCHAR)' };

describe('streamDriftAction', () => {
  it('under evolve, accepts a change of columns and warns about a change in values', () => {
    assert.deepEqual([added, dropped, format, nulls].map((f) => streamDriftAction('evolve', 'warn', f, passed)), ['accepted', 'accepted', 'warned', 'warned']);
  });

  it('under freeze, fails a change of columns the contract refused, and warns when the table still takes the rows', () => {
    assert.equal(streamDriftAction('freeze', 'warn', added, { refused: true, rejected: 0 }), 'failed');
    assert.equal(streamDriftAction('freeze', 'warn', added, passed), 'warned');
    assert.equal(streamDriftAction('freeze', 'warn', format, { refused: true, rejected: 0 }), 'warned');
  });

  it('under discard_row, discards the rows that break a shape or did not fit, and warns about what no row can be blamed for', () => {
    assert.equal(streamDriftAction('discard_row', 'discard_row', format, passed), 'discarded');
    assert.equal(streamDriftAction('discard_row', 'discard_row', added, { refused: false, rejected: 2 }), 'discarded');
    assert.equal(streamDriftAction('discard_row', 'discard_row', added, passed), 'warned');
    assert.equal(streamDriftAction('discard_row', 'discard_row', dropped, { refused: false, rejected: 2 }), 'warned');
    assert.equal(streamDriftAction('discard_row', 'discard_row', nulls, passed), 'warned');
  });

  it('under a stream drift: fail, fails a change in values (text in numbers included) and leaves the columns to the contract, which never judged them', () => {
    const refused = { refused: true, rejected: 0 };
    assert.deepEqual([format, nulls, textInNumber].map((f) => streamDriftAction('evolve', 'fail', f, refused)), ['failed', 'failed', 'failed']);
    assert.deepEqual([added, dropped].map((f) => streamDriftAction('evolve', 'fail', f, refused)), ['warned', 'warned']);
    assert.equal(streamDriftAction('freeze', 'fail', added, refused), 'warned');
    // A batch with only a change of columns is the contract's, as without drift: fail.
    assert.equal(streamDriftAction('evolve', 'fail', added, passed), 'accepted');
  });

  it('lets a stream discard rows in a new format under another contract, and warn about them under discard_row', () => {
    assert.equal(streamDriftAction('evolve', 'discard_row', format, passed), 'discarded');
    assert.equal(streamDriftAction('evolve', 'discard_row', added, passed), 'accepted');
    assert.equal(streamDriftAction('discard_row', 'warn', format, passed), 'warned');
    assert.equal(streamDriftAction('discard_row', 'warn', added, { refused: false, rejected: 2 }), 'discarded');
  });
});

describe('a stream’s drift: settings', () => {
  it('override the pipeline’s field by field, and fill what neither says from the contract', () => {
    const pipeline = streamDriftSettingsSchema.parse({ on_drift: 'fail', null_rate_jump: 0.1 });
    assert.deepEqual(resolveStreamDrift(streamDriftSettingsSchema.parse('warn'), pipeline, 'evolve'), { on_drift: 'warn', null_rate_jump: 0.1 });
    assert.deepEqual(resolveStreamDrift(streamDriftSettingsSchema.parse({ null_rate_jump: 0.05 }), pipeline, 'evolve'), { on_drift: 'fail', null_rate_jump: 0.05 });
    assert.deepEqual(resolveStreamDrift(undefined, undefined, 'discard_row'), { on_drift: 'discard_row', null_rate_jump: 0.2 });
    assert.deepEqual(resolveStreamDrift(undefined, undefined, 'freeze'), { on_drift: 'warn', null_rate_jump: 0.2 });
  });

  it('refuse evolve and freeze, which a stream’s schema_contract says, naming it', () => {
    for (const word of ['evolve', 'freeze']) {
      const parsed = streamDriftSettingsSchema.safeParse(word);
      assert.equal(parsed.success, false);
      assert.match(parsed.error!.issues[0]!.message, /schema_contract decides/);
    }
    assert.equal(streamDriftSettingsSchema.safeParse({ on_drift: 'off', extra: 1 }).success, false);
  });
});
