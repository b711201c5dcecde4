import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatValue, isNumericType } from './format-value.ts';

describe('cell values by column type', () => {
  it('shows a DATE as its day, in any zone', () => {
    assert.equal(formatValue('2025-08-08T00:00:00.000Z', 'DATE', 'America/Los_Angeles'), '2025-08-08');
  });

  it('shows a TIMESTAMP in the given zone, naming the zone', () => {
    assert.equal(formatValue('2025-08-08T10:00:00.000Z', 'TIMESTAMP', 'Europe/Berlin'), '2025-08-08 12:00:00 GMT+2');
    assert.equal(formatValue('2025-01-08T10:00:00.250Z', 'TIMESTAMP WITH TIME ZONE', 'UTC'), '2025-01-08 10:00:00.250 UTC');
  });

  it('leaves other values as text, NULL included', () => {
    assert.equal(formatValue('9007199254740993', 'BIGINT'), '9007199254740993');
    assert.equal(formatValue(null, 'DATE'), 'NULL');
    assert.equal(formatValue('<b>', 'VARCHAR'), '<b>');
  });

  it('knows which types are numbers', () => {
    for (const type of ['BIGINT', 'INTEGER', 'DECIMAL(12,2)', 'DOUBLE', 'HUGEINT', 'UBIGINT']) assert.ok(isNumericType(type), type);
    for (const type of ['VARCHAR', 'DATE', 'TIMESTAMP', 'INTERVAL', undefined]) assert.ok(!isNumericType(type), String(type));
  });
});
