import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { focusLineage } from './focus-lineage.ts';

describe('focusLineage', () => {
  const edges = [
    { from: 'file:a.csv', to: 'block:p/load' },
    { from: 'block:p/load', to: 'table:w.t' },
    { from: 'table:w.t', to: 'block:q/read' },
    { from: 'block:q/read', to: 'table:w.u' },
    { from: 'file:other.csv', to: 'block:r/load' },
    { from: 'block:r/load', to: 'table:w.u' },
  ];

  it('keeps a table, what feeds it and what it feeds, across pipelines', () => {
    assert.deepEqual([...focusLineage({ edges }, 'table:w.t')].sort(), ['block:p/load', 'block:q/read', 'file:a.csv', 'table:w.t', 'table:w.u']);
  });

  it('leaves out the other writers of a downstream table, which are not upstream of the picked one', () => {
    assert.ok(!focusLineage({ edges }, 'table:w.t').has('block:r/load'));
  });
});
