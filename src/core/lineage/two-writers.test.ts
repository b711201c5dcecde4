import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockId, tableDataset, type BlockNode, type LineageGraph } from './lineage-graph.ts';
import { findTwoWriters } from './two-writers.ts';

function block(pipeline: string, name: string): BlockNode {
  return { kind: 'block', id: blockId(pipeline, name), pipeline, block: name, role: 'exporter', language: 'connector', file: `pipelines/${pipeline}.yaml` };
}

/** A graph where each writer writes the one table. */
function graphOf(table: string, writers: readonly BlockNode[]): LineageGraph {
  const dataset = tableDataset('warehouse', table);
  return { nodes: [dataset, ...writers], edges: writers.map((w) => ({ from: w.id, to: dataset.id })), columns: {}, copies: {}, notes: [] };
}

describe('findTwoWriters', () => {
  it('warns when two blocks of one pipeline write one table, naming both', () => {
    const [warning, ...rest] = findTwoWriters(graphOf('refunds', [block('billing', 'land'), block('billing', 'fix_up')]), {});
    assert.deepEqual(rest, []);
    assert.deepEqual(warning?.writers, ['billing.fix_up', 'billing.land']);
    assert.match(warning!.message, /warehouse\.refunds is written by 2 blocks of billing: billing\.fix_up and billing\.land/);
  });

  it('says nothing of a table with one writer', () => {
    assert.deepEqual(findTwoWriters(graphOf('refunds', [block('billing', 'land')]), {}), []);
  });

  it('is silenced by an owner named as a pipeline or as PIPELINE.BLOCK, whatever the case of the table', () => {
    const graph = graphOf('refunds', [block('billing', 'land'), block('finance', 'land')]);
    assert.deepEqual(findTwoWriters(graph, { 'warehouse.refunds': { owner: 'billing' } }), []);
    assert.deepEqual(findTwoWriters(graph, { 'Warehouse.Refunds': { owner: 'finance.land' } }), []);
  });

  it('flags an owner that writes the table nowhere', () => {
    const graph = graphOf('refunds', [block('billing', 'land'), block('finance', 'land')]);
    const warnings = findTwoWriters(graph, { 'warehouse.refunds': { owner: 'old_refunds' } });
    assert.deepEqual(warnings.map((w) => w.code), ['lineage.owner_not_a_writer']);
    assert.match(warnings[0]!.message, /names old_refunds the owner of warehouse\.refunds, but old_refunds does not write it \(written by billing\.land, finance\.land\)/);
  });

  it('flags an owner of a table that no pipeline writes', () => {
    const warnings = findTwoWriters(graphOf('refunds', [block('billing', 'land')]), { 'warehouse.old_refunds': { owner: 'billing' } });
    assert.deepEqual(warnings.map((w) => [w.code, w.table, w.message]), [['lineage.owner_not_a_writer', 'warehouse.old_refunds', 'sluice.yaml names billing the owner of warehouse.old_refunds, which no pipeline writes']]);
  });
});
