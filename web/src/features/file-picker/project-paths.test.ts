import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { folderOf, formatBytes, joinPath, nameOf } from './project-paths.ts';

describe('project paths for the file picker', () => {
  it('takes the folder of a file, of a folder and of a glob', () => {
    assert.equal(folderOf('data/in/orders.csv'), 'data/in');
    assert.equal(folderOf('orders.csv'), '');
    assert.equal(folderOf('data/in/'), 'data/in');
    assert.equal(folderOf('data/*/part-*.parquet'), 'data');
    assert.equal(folderOf('*/x.csv'), '');
  });

  it('keeps a file name when moving it to another folder', () => {
    assert.equal(joinPath('exports', nameOf('out/sales.csv')), 'exports/sales.csv');
    assert.equal(joinPath('', nameOf('out/sales.csv')), 'sales.csv');
    assert.equal(nameOf('data/'), '');
  });

  it('shows sizes in binary units', () => {
    assert.equal(formatBytes(900), '900 B');
    assert.equal(formatBytes(2048), '2.0 KB');
    assert.equal(formatBytes(5 * 1024 * 1024 * 1024), '5.0 GB');
  });
});
