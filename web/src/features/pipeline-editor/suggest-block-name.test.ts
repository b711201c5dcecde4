import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestBlockName } from './suggest-block-name.ts';

const none = { upstream: [], settings: {}, taken: [] };

describe('the name suggested for a new block', () => {
  it('names a loader after the file or table it reads', () => {
    assert.equal(suggestBlockName({ ...none, role: 'loader', settings: { path: 'data/orders.csv' } }), 'orders');
    assert.equal(suggestBlockName({ ...none, role: 'loader', settings: { path: 'in/2024 Sales-Q1.xlsx' } }), '_2024_sales_q1');
    assert.equal(suggestBlockName({ ...none, role: 'loader', settings: { table: 'public.customers' } }), 'customers');
  });

  it('names an export or a test after the block it reads', () => {
    assert.equal(suggestBlockName({ ...none, role: 'exporter', upstream: ['totals'] }), 'export_totals');
    assert.equal(suggestBlockName({ ...none, role: 'test', upstream: ['totals'] }), 'check_totals');
  });

  it('suggests nothing for a transformer, or without a source or an upstream', () => {
    assert.equal(suggestBlockName({ ...none, role: 'transformer', upstream: ['orders'] }), '');
    assert.equal(suggestBlockName({ ...none, role: 'loader' }), '');
    assert.equal(suggestBlockName({ ...none, role: 'exporter' }), '');
  });

  it('never suggests a name the pipeline already uses', () => {
    assert.equal(suggestBlockName({ ...none, role: 'test', upstream: ['totals'], taken: ['check_totals', 'check_totals_2'] }), 'check_totals_3');
  });
});
