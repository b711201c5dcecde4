import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectors } from '../registry.ts';
import { checkWriteColumns, checkWriteInput } from './check-write-input.ts';

const postgresIdentifiers = connectors.get('postgres')!.identifiers!;
const mysqlIdentifiers = connectors.get('mysql')!.identifiers!;

const input = [
  { name: 'id', type: 'BIGINT' },
  { name: 'Amount', type: 'DECIMAL(12,2)' },
];
const check = { kind: 'db', label: 'public.sales', key: [] as string[], input };

describe('write checks driven by identifier rules', () => {
  it('refuses upsert and merge without a key, and a key the input lacks', () => {
    assert.throws(() => checkWriteInput(postgresIdentifiers, { ...check, mode: 'upsert' }), /upsert into public.sales needs a key/);
    assert.throws(() => checkWriteInput(postgresIdentifiers, { ...check, mode: 'merge', key: ['ID'] }), (e: Error & { code?: string }) => e.code === 'db.key_not_in_input');
  });

  it('matches a key without regard to case where the database does', () => {
    assert.doesNotThrow(() => checkWriteInput(mysqlIdentifiers, { ...check, mode: 'upsert', key: ['ID'] }));
  });

  it('refuses a column name longer than the database keeps, in bytes', () => {
    const long = [{ name: 'é'.repeat(32), type: 'VARCHAR' }];
    assert.throws(() => checkWriteInput(postgresIdentifiers, { ...check, mode: 'append', input: long }), /longer than 63 bytes/);
    assert.doesNotThrow(() => checkWriteInput(mysqlIdentifiers, { ...check, mode: 'append', input: long }));
  });

  it('names extra, missing and computed columns, and a difference only in case where case matters', () => {
    const table = [
      { name: 'id', optional: false },
      { name: 'amount', optional: true },
      { name: 'region', optional: false },
      { name: 'total', optional: true, generated: true },
    ];
    assert.throws(
      () => checkWriteColumns(postgresIdentifiers, 'postgres', 'public.sales', table, input),
      /columns the table lacks: Amount; the table needs columns the input lacks \(not null, no default\): region; names are case-sensitive \(Amount differ/,
    );
    assert.throws(() => checkWriteColumns(mysqlIdentifiers, 'mysql', 'sales', table, [...input, { name: 'TOTAL', type: 'INTEGER' }]), /needs columns the input lacks \(not null, no default\): region; the table computes these columns itself: TOTAL/);
    assert.doesNotThrow(() => checkWriteColumns(mysqlIdentifiers, 'mysql', 'sales', table, [...input, { name: 'region', type: 'VARCHAR' }]));
  });
});
