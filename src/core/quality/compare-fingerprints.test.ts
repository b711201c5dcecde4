import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareFingerprints, percent } from './compare-fingerprints.ts';
import type { ColumnFingerprint, OutputFingerprint } from './fingerprint-output.ts';

const of = (...columns: ColumnFingerprint[]): OutputFingerprint => ({ rows: 100, columns });
const date = (shape: string, shapeShare = 1): ColumnFingerprint => ({ name: 'order_date', type: 'VARCHAR', nullRate: 0, shape, shapeShare });
const compare = (before: OutputFingerprint, after: OutputFingerprint) => compareFingerprints(before, after, { nullRateJump: 0.2 });

describe('compareFingerprints', () => {
  it('finds nothing between two outputs of the same shape', () => {
    assert.deepEqual(compare(of(date('9999-99-99')), of(date('9999-99-99', 0.95))), []);
  });

  it('names a new, a dropped and a retyped column, each a change of schema', () => {
    const before = of({ name: 'id', type: 'BIGINT' }, { name: 'note', type: 'VARCHAR' });
    const after = of({ name: 'id', type: 'INTEGER' }, { name: 'color', type: 'VARCHAR' });
    assert.deepEqual(
      compare(before, after).map((f) => [f.kind, f.column, f.before, f.after, f.schema, f.message]),
      [
        ['retyped', 'id', 'BIGINT', 'INTEGER', true, 'column id changed type: BIGINT -> INTEGER'],
        ['added_column', 'color', undefined, 'VARCHAR', true, 'new column color VARCHAR'],
        ['dropped_column', 'note', 'VARCHAR', undefined, true, 'column note VARCHAR was dropped'],
      ],
    );
  });

  it('sees a date column change its format, wholly or for part of its values', () => {
    const [whole] = compare(of(date('9999-99-99')), of(date('99/99/9999')));
    assert.deepEqual([whole!.kind, whole!.before, whole!.after, whole!.establishedShape, whole!.schema], ['format_changed', '9999-99-99', '99/99/9999', '9999-99-99', false]);
    assert.equal(whole!.message, 'format of order_date changed: 9999-99-99 -> 99/99/9999');
    const [part] = compare(of(date('9999-99-99')), of(date('9999-99-99', 0.6)));
    assert.equal(part!.after, 'mixed (60% 9999-99-99)');
  });

  it('judges no format for a column that never had one', () => {
    assert.deepEqual(compare(of(date('text')), of(date('99/99/9999'))), []);
    assert.deepEqual(compare(of(date('9999-99-99', 0.7)), of(date('99/99/9999'))), []);
  });

  it('flags numeric text that starts carrying text, even one value in a thousand', () => {
    const code = (shape: string, shapeShare: number): ColumnFingerprint => ({ name: 'zip', type: 'VARCHAR', nullRate: 0, shape, shapeShare });
    const [one] = compare(of(code('number', 1)), of(code('number', 0.999)));
    assert.deepEqual([one!.kind, one!.after, one!.establishedShape], ['text_in_number', '0.1% text', 'number']);
    // A column that always had a little text is held to its usual share only.
    assert.deepEqual(compare(of(code('number', 0.95)), of(code('number', 0.93))), []);
    assert.equal(compare(of(code('number', 0.95)), of(code('number', 0.5)))[0]?.kind, 'text_in_number');
  });

  it('flags a number column that became text as text in numbers, a change of schema', () => {
    const [finding] = compare(of({ name: 'qty', type: 'BIGINT' }), of({ name: 'qty', type: 'VARCHAR', shape: 'number', shapeShare: 0.9 }));
    assert.deepEqual([finding!.kind, finding!.schema, finding!.message], ['text_in_number', true, 'column qty was BIGINT and now carries text (VARCHAR)']);
  });

  it('flags a null rate that rose by the threshold or more, and not one that fell', () => {
    const email = (nullRate: number): ColumnFingerprint => ({ name: 'email', type: 'BIGINT', nullRate });
    assert.deepEqual(compare(of(email(0.05)), of(email(0.25))).map((f) => f.message), ['null rate of email jumped: 5% -> 25%']);
    assert.deepEqual(compare(of(email(0.05)), of(email(0.2))), []);
    assert.deepEqual(compare(of(email(0.6)), of(email(0))), []);
    assert.equal(compareFingerprints(of(email(0.05)), of(email(0.1)), { nullRateJump: 0.05 }).length, 1);
  });

  it('leaves null rates over too few rows unjudged when asked to', () => {
    const email = (nullRate: number): ColumnFingerprint => ({ name: 'email', type: 'VARCHAR', nullRate });
    const few = { rows: 4, columns: [email(1)] };
    assert.deepEqual(compareFingerprints(of(email(0)), few, { nullRateJump: 0.2, nullRateMinRows: 100 }), []);
    assert.equal(compareFingerprints(of(email(0)), of(email(1)), { nullRateJump: 0.2, nullRateMinRows: 100 }).length, 1);
    assert.equal(compareFingerprints(of(email(0)), few, { nullRateJump: 0.2 }).length, 1);
  });

  it('leaves the values of flag columns alone, but not their presence or type, nor the values of other columns', () => {
    const column = (name: string, nullRate: number, type = 'VARCHAR'): ColumnFingerprint => ({ name, type, nullRate });
    const before = of(column('category', 0.1), column('category_flag', 0.5), column('category_reason', 0.5));
    const fewerFlags = of(column('category', 0.4), column('category_flag', 0.9), column('category_reason', 0.9));
    const flagColumns = ['category_flag', 'category_reason'];
    assert.deepEqual(
      compareFingerprints(before, fewerFlags, { nullRateJump: 0.2, flagColumns }).map((f) => f.message),
      ['null rate of category jumped: 10% -> 40%'],
    );
    const retyped = of(column('category', 0.1), column('category_flag', 0.5, 'BIGINT'));
    assert.deepEqual(
      compareFingerprints(before, retyped, { nullRateJump: 0.2, flagColumns }).map((f) => f.kind),
      ['retyped', 'dropped_column'],
    );
  });

  it('writes shares as people read them', () => {
    assert.deepEqual([percent(0), percent(0.001), percent(0.0525), percent(0.4)], ['0%', '0.1%', '5.3%', '40%']);
  });
});
