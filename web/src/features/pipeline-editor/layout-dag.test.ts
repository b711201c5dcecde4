import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlockSpec } from '@sluice/api';
import { layoutDag, nodeWidth } from './layout-dag.ts';

const block = (name: string, upstream: string[] = []): BlockSpec => ({ name, role: 'transformer', language: 'sql', upstream, settings: {}, description: null, line: null });

describe('layoutDag', () => {
  it('places every block right of the blocks it reads, without overlaps', () => {
    const positions = layoutDag([block('orders'), block('customers'), block('joined', ['orders', 'customers']), block('export', ['joined'])]);
    assert.ok(positions.get('joined')!.x >= positions.get('orders')!.x + nodeWidth);
    assert.ok(positions.get('export')!.x >= positions.get('joined')!.x + nodeWidth);
    assert.notEqual(positions.get('orders')!.y, positions.get('customers')!.y);
  });

  it('ignores an upstream that is not in the pipeline instead of failing', () => {
    const positions = layoutDag([block('a', ['gone'])]);
    assert.deepEqual([...positions.keys()], ['a']);
  });

  it('lays out a 200-block pipeline', () => {
    const blocks = Array.from({ length: 200 }, (_, i) => block(`b${i}`, i < 20 ? [] : [`b${i - 20}`]));
    const positions = layoutDag(blocks);
    assert.equal(positions.size, 200);
    assert.ok(positions.get('b199')!.x > positions.get('b0')!.x);
  });
});
