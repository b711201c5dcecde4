import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredDataset, settingsDataset } from './declared-datasets.ts';

const connections = new Set(['warehouse', 'crm']);

describe('declaredDataset', () => {
  it('reads CONNECTION.TABLE, with or without the schema, folding case and quotes', () => {
    assert.equal((declaredDataset('crm.public.Accounts', connections) as { id: string }).id, 'table:crm.public.accounts');
    assert.equal((declaredDataset('warehouse."Sales"', connections) as { id: string }).id, 'table:warehouse.sales');
  });

  it('reads a path as a file', () => {
    assert.equal((declaredDataset('exports/accounts.csv', connections) as { id: string }).id, 'file:exports/accounts.csv');
  });

  it('says what is wrong with a name that is neither, listing the connections', () => {
    assert.deepEqual(declaredDataset('accounts', connections), { problem: "'accounts' is neither CONNECTION.TABLE (connections: warehouse, crm) nor a file path" });
    assert.deepEqual(declaredDataset('crm.', connections), { problem: "'crm.' names a connection but no table" });
  });
});

describe('settingsDataset', () => {
  it('takes a table of the connection, a file for a connector that needs no connection, and an address under one that does', () => {
    assert.equal(settingsDataset({ table: 'public.orders' }, 'shop', { needsConnection: true })?.id, 'table:shop.public.orders');
    assert.equal(settingsDataset({ path: 'data/in.csv' }, 'file', { needsConnection: false })?.id, 'file:data/in.csv');
    assert.equal(settingsDataset({ path: '/v2/orders' }, 'api', { needsConnection: true })?.id, 'api:api/v2/orders');
    assert.equal(settingsDataset({ query: 'SELECT 1' }, 'shop', { needsConnection: true }), undefined);
  });
});
