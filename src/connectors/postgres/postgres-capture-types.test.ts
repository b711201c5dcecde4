import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataPlaneType, postgresTypeName } from './postgres-capture-types.ts';

describe('postgresTypeName', () => {
  it('spells built-in types as format_type does, numeric with its precision and scale from the modifier', () => {
    assert.equal(postgresTypeName(23, -1), 'integer');
    assert.equal(postgresTypeName(1184, -1), 'timestamp with time zone');
    assert.equal(postgresTypeName(1700, ((12 << 16) | 3) + 4), 'numeric(12,3)');
    assert.equal(postgresTypeName(1700, -1), 'numeric');
  });

  it('leaves any other type as text, so it travels as VARCHAR', () => {
    assert.equal(postgresTypeName(3904, -1), 'text'); // int4range
    assert.equal(dataPlaneType(postgresTypeName(3904, -1)), 'VARCHAR');
    assert.equal(dataPlaneType(postgresTypeName(1700, ((12 << 16) | 3) + 4)), 'DECIMAL(12,3)');
  });
});
