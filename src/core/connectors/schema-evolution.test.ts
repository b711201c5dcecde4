import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareColumns, fits, widen } from './schema-evolution.ts';

describe('schema evolution', () => {
  it('lets narrower integers and exact decimals into wider columns', () => {
    assert.equal(fits('INTEGER', 'BIGINT'), true);
    assert.equal(fits('BIGINT', 'INTEGER'), false);
    assert.equal(fits('BIGINT', 'DECIMAL(20,0)'), true);
    assert.equal(fits('DECIMAL(12,2)', 'DECIMAL(14,4)'), true);
    assert.equal(fits('DECIMAL(12,4)', 'DECIMAL(12,2)'), false);
    assert.equal(fits('TIMESTAMP WITH TIME ZONE', 'TIMESTAMP'), true);
    assert.equal(fits('DATE', 'VARCHAR'), true);
  });

  it('widens int to bigint to numeric, and anything else to text', () => {
    assert.equal(widen('BIGINT', 'INTEGER'), 'BIGINT');
    assert.equal(widen('DECIMAL(20,2)', 'BIGINT'), 'DECIMAL(21,2)');
    assert.equal(widen('DECIMAL(38,30)', 'BIGINT'), 'VARCHAR');
    assert.equal(widen('VARCHAR', 'INTEGER'), 'VARCHAR');
    assert.equal(widen('DOUBLE', 'FLOAT'), 'DOUBLE');
  });

  it('reports new columns and values that no longer fit, matching names ignoring case', () => {
    const differences = compareColumns(
      [
        { name: 'ID', type: 'BIGINT' },
        { name: 'note', type: 'VARCHAR' },
        { name: 'n', type: 'INTEGER' },
      ],
      [
        { name: 'id', nativeType: 'int', type: 'INTEGER', nullable: false },
        { name: 'n', nativeType: 'bigint', type: 'BIGINT', nullable: true },
      ],
    );
    assert.deepEqual(differences, [
      { kind: 'type_change', column: 'ID', from: 'INTEGER', to: 'BIGINT', widened: 'BIGINT' },
      { kind: 'new_column', column: 'note', type: 'VARCHAR' },
    ]);
  });

  it('reports a destination column the source no longer has', () => {
    const differences = compareColumns(
      [{ name: 'ID', type: 'INTEGER' }],
      [
        { name: 'id', nativeType: 'int', type: 'INTEGER', nullable: false },
        { name: 'note', nativeType: 'text', type: 'VARCHAR', nullable: true },
      ],
    );
    assert.deepEqual(differences, [{ kind: 'dropped_column', column: 'note', type: 'VARCHAR', nullable: true }]);
  });
});
