import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignOneToOne } from './assign-one-to-one.ts';
import { typeCompatibility, typeFamily } from './type-compatibility.ts';
import { valueFormats } from './value-formats.ts';

const formats = (values: string[]) => [...valueFormats(values)].sort();

describe('valueFormats', () => {
  it('recognises emails, phones, dates, ISO codes, postal codes and amounts', () => {
    assert.deepEqual(formats(['a@x.io', 'bob.smith@example.co.uk', '']), ['email']);
    assert.deepEqual(formats(['(415) 555-2671', '+44 20 7946 0958', '801-724-6600 x 1272']), ['phone']);
    assert.deepEqual(formats(['2024-03-01', '1999-12-31']), ['date']);
    assert.deepEqual(formats(['2024-03-01 10:15:02 -0500', '2024-01-05T09:00:00Z']), ['timestamp']);
    assert.deepEqual(formats(['usd', 'EUR', 'gbp']), ['currency_code']);
    assert.deepEqual(formats(['Germany', 'DE', 'Deutschland', 'United States']), ['country']);
    assert.deepEqual(formats(['94105', '02139', 'SW1A 1AA', 'M5V 2T6']), ['postal_code']);
    assert.deepEqual(formats(['10.99', '250.00']), ['decimal', 'money']);
    assert.deepEqual(formats(['1679090539', '1701388800']), ['epoch', 'integer']);
  });
  it('does not take numbers, amounts or national ids for phone numbers', () => {
    assert.ok(!valueFormats(['72000.00', '118000.00']).has('phone'));
    assert.ok(!valueFormats(['5123456789012', '5123456789013']).has('phone'));
    assert.ok(!valueFormats(['123-45-6789', '987-65-4321']).has('phone'));
  });
  it('needs three quarters of the values to agree, and gives nothing for empty samples', () => {
    assert.deepEqual(formats(['a@x.io', 'b@y.io', 'not an email', 'nor this']), []);
    assert.deepEqual(formats(['', ' ']), []);
  });
});

describe('typeCompatibility', () => {
  it('reads type names of any database as families', () => {
    assert.deepEqual(['VARCHAR(255)', 'int8', 'numeric(12,2)', 'timestamptz', 'DATE', 'bool', 'jsonb'].map(typeFamily), ['text', 'integer', 'decimal', 'timestamp', 'date', 'boolean', 'nested']);
  });
  it('scores the same family 1, a conversion less, families that do not meet 0.1', () => {
    assert.equal(typeCompatibility('date', 'date', new Set()), 1);
    assert.equal(typeCompatibility('integer', 'decimal', new Set()), 0.8);
    assert.equal(typeCompatibility('integer', 'timestamp', new Set(['epoch'])), 0.8);
    assert.equal(typeCompatibility('boolean', 'date', new Set()), 0.1);
  });
});

describe('assignOneToOne', () => {
  it('maximises the total, not each row greedily', () => {
    assert.deepEqual(assignOneToOne([[0.9, 0.8], [0.85, 0]]), [1, 0]);
  });
  it('leaves a row unpaired when nothing it may take is left', () => {
    assert.deepEqual(assignOneToOne([[0.5, 0], [0.9, 0], [0, 0]]), [-1, 0, -1]);
  });
  it('handles more columns than rows and no columns at all', () => {
    assert.deepEqual(assignOneToOne([[0, 0.2, 0.7]]), [2]);
    assert.deepEqual(assignOneToOne([[], []]), [-1, -1]);
  });
});
