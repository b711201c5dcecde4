import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../errors.ts';
import { CsvRowEncoder } from './csv-row-encoder.ts';

describe('CsvRowEncoder', () => {
  it('writes one line per row with columns in the order of the first row', () => {
    const encoder = new CsvRowEncoder();
    const text = encoder.encode([{ b: 'x', a: 1 }, { a: 2, b: 'y' }]);
    assert.equal(text, 'x,1\ny,2\n');
    assert.deepEqual(encoder.columns.map((c) => c.name), ['b', 'a']);
  });

  it('leaves NULL unquoted-empty and quotes the empty string', () => {
    const text = new CsvRowEncoder().encode([{ s: '' }, { s: null }, { s: undefined }]);
    assert.equal(text, '""\n\n\n');
  });

  it('quotes text holding commas, quotes or line breaks', () => {
    const text = new CsvRowEncoder().encode([{ s: 'a,b' }, { s: 'say "hi"' }, { s: 'two\nlines' }, { s: 'plain' }]);
    assert.equal(text, '"a,b"\n"say ""hi"""\n"two\nlines"\nplain\n');
  });

  it('writes numbers bound for DECIMAL(p, s) rounded to s places, half away from zero', () => {
    const encoder = new CsvRowEncoder({ amount: 'DECIMAL(12,2)' });
    const text = encoder.encode([{ amount: 521.04 }, { amount: -0.004 }, { amount: -1.005 }, { amount: 0.1 + 0.2 }, { amount: 7 }, { amount: 2.675 }]);
    assert.equal(text, '521.04\n0.00\n-1.00\n0.30\n7.00\n2.68\n');
  });

  it('writes timestamps as UTC wall time with milliseconds', () => {
    const text = new CsvRowEncoder().encode([{ at: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)) }]);
    assert.equal(text, '2025-01-02 03:04:05.006\n');
  });

  it('stores objects as JSON text', () => {
    const encoder = new CsvRowEncoder();
    assert.equal(encoder.encode([{ doc: { a: [1, 'x'] } }]), '"{""a"":[1,""x""]}"\n');
    assert.equal(encoder.columns[0]!.staged.final, 'JSON');
  });

  it('refuses a column that first appears after the first batch', () => {
    const encoder = new CsvRowEncoder();
    encoder.encode([{ a: 1 }]);
    assert.throws(() => encoder.encode([{ a: 2, b: 3 }]), (error: SluiceError) => error.code === 'block.new_column' && error.location?.record === 2);
  });

  it('fixes whole-number columns after the first batch and names the record that breaks them', () => {
    const encoder = new CsvRowEncoder();
    encoder.encode([{ n: 1 }, { n: 2.5 }]);
    assert.equal(encoder.columns[0]!.staged.final, 'DOUBLE', 'a fraction in the first batch makes it DOUBLE');
    const strict = new CsvRowEncoder();
    strict.encode([{ n: 1 }, { n: 2 }]);
    assert.equal(strict.columns[0]!.staged.final, 'BIGINT');
    assert.throws(() => strict.encode([{ n: 3 }, { n: 3.5 }]), (error: SluiceError) => error.code === 'block.type_mismatch' && error.location?.record === 4);
  });

  it('lets a column declared as DOUBLE hold whole numbers first and fractions later', () => {
    const encoder = new CsvRowEncoder({ n: 'DOUBLE' });
    encoder.encode([{ n: 1 }, { n: 2 }]);
    assert.equal(encoder.encode([{ n: 2.5 }]), '2.5\n');
  });

  it('keeps encoders of the same columns apart: each writes its own values and keeps its own column types', () => {
    const whole = new CsvRowEncoder();
    const fractions = new CsvRowEncoder();
    assert.equal(whole.encode([{ n: 1, s: 'a' }]), '1,a\n');
    assert.equal(fractions.encode([{ n: 1.5, s: 'b,c' }]), '1.5,"b,c"\n');
    assert.equal(whole.encode([{ n: 2, s: 'd' }]), '2,d\n');
    assert.throws(() => whole.encode([{ n: 2.5, s: 'e' }]), /held whole numbers/);
    assert.equal(fractions.encode([{ n: 3, s: 'f' }]), '3,f\n');
  });

  it('rejects a row that is not an object, naming its record', () => {
    assert.throws(() => new CsvRowEncoder().encode([{ a: 1 }, 5 as never]), (error: SluiceError) => error.code === 'block.bad_row' && error.location?.record === 2);
  });
});
