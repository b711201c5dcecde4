import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../errors.ts';
import { inferStagingType, stageValue, type StagingType } from './js-values.ts';

/** Infers a column's type from `values` and stages every value as the row writer does. */
function stageAll(values: readonly unknown[]): { staged: StagingType; out: unknown[] } {
  const rows = values.map((v) => ({ c: v }));
  const staged = inferStagingType(rows, 'c');
  return { staged, out: values.map((v, i) => stageValue(v, staged, 'c', i + 1)) };
}

function mismatchOf(run: () => unknown): SluiceError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a type mismatch');
}

describe('inferStagingType', () => {
  it('stages numbers as DOUBLE that become BIGINT while all are integers', () => {
    const { staged, out } = stageAll([1, 2, -3, null]);
    assert.deepEqual({ ...staged }, { kind: 'number', duck: 'DOUBLE', final: 'BIGINT', integers: true });
    assert.deepEqual(out, [1, 2, -3, null]);
  });

  it('switches a number column to DOUBLE at the first fraction', () => {
    const { staged } = stageAll([1, 2.5, 3]);
    assert.equal(staged.final, 'DOUBLE');
    assert.equal(staged.integers, false);
  });

  it('switches a number column to DOUBLE for an integer beyond the safe range', () => {
    assert.equal(stageAll([1, 2 ** 60]).staged.final, 'DOUBLE');
  });

  it('types a column by its first value that is not null', () => {
    const staged = inferStagingType([{ c: null }, {}, { c: 'x' }, { c: 1 }], 'c');
    assert.equal(staged.kind, 'string');
    assert.equal(staged.final, 'VARCHAR');
  });

  it('stages a column of only nulls as VARCHAR', () => {
    const { staged, out } = stageAll([null, undefined]);
    assert.equal(staged.duck, 'VARCHAR');
    assert.equal(staged.final, 'VARCHAR');
    assert.deepEqual(out, [null, null]);
  });

  it('stages bigint as BIGINT and accepts safe integer numbers beside it', () => {
    const { staged, out } = stageAll([2n ** 62n, 7]);
    assert.deepEqual([staged.duck, staged.final], ['BIGINT', 'BIGINT']);
    assert.deepEqual(out, [2n ** 62n, 7n]);
  });

  it('stages booleans as BOOLEAN', () => {
    const { staged, out } = stageAll([true, false]);
    assert.equal(staged.final, 'BOOLEAN');
    assert.deepEqual(out, [true, false]);
  });

  it('stages Dates as TIMESTAMP', () => {
    const day = new Date('2024-05-01T10:00:00Z');
    const { staged, out } = stageAll([day]);
    assert.deepEqual([staged.kind, staged.final], ['date', 'TIMESTAMP']);
    assert.equal(out[0], day);
  });

  it('stages objects and arrays as JSON text, bigint included', () => {
    const { staged, out } = stageAll([{ a: 1, b: [2n, 'x'] }, [1, 2]]);
    assert.deepEqual([staged.kind, staged.duck, staged.final], ['json', 'VARCHAR', 'JSON']);
    assert.deepEqual(out, ['{"a":1,"b":["2","x"]}', '[1,2]']);
  });

  it('turns other values into text in a string column', () => {
    const { out } = stageAll(['a', 5, true, new Date('2024-01-02T00:00:00Z'), { k: 1 }]);
    assert.deepEqual(out, ['a', '5', 'true', '2024-01-02T00:00:00.000Z', '{"k":1}']);
  });
});

describe('stageValue', () => {
  it('rejects a string in a number column, naming the column and the record', () => {
    const error = mismatchOf(() => stageAll([1, 2, 'three']));
    assert.equal(error.code, 'block.type_mismatch');
    assert.equal(error.location?.record, 3);
    assert.match(error.message, /column 'c'/);
    assert.match(error.message, /'three'/);
  });

  it('rejects a fraction in a bigint column', () => {
    const error = mismatchOf(() => stageAll([1n, 1.5]));
    assert.equal(error.code, 'block.type_mismatch');
    assert.equal(error.location?.record, 2);
  });

  it('rejects a bigint too large for a number column', () => {
    assert.equal(mismatchOf(() => stageAll([1, 2n ** 60n])).code, 'block.type_mismatch');
  });

  it('refuses a fraction in a whole-number column once the column is locked', () => {
    const staged = inferStagingType([{ c: 1 }], 'c');
    staged.locked = true;
    assert.equal(stageValue(2, staged, 'c', 7), 2);
    const error = mismatchOf(() => stageValue(2.5, staged, 'c', 8));
    assert.equal(error.code, 'block.type_mismatch');
    assert.equal(error.location?.record, 8);
    assert.equal(staged.final, 'BIGINT');
  });

  it('rejects anything but a boolean in a boolean column', () => {
    assert.equal(mismatchOf(() => stageAll([true, 'false'])).location?.record, 2);
  });

  it('rejects an invalid Date and a date string in a Date column', () => {
    assert.match(mismatchOf(() => stageAll([new Date(0), new Date('nope')])).message, /invalid Date/);
    assert.equal(mismatchOf(() => stageAll([new Date(0), '2024-01-01'])).code, 'block.type_mismatch');
  });
});
