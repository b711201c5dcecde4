import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topoSort, withDownstream, withUpstream, type DagNode } from './dag.ts';

const node = (name: string, ...upstream: string[]): DagNode => ({ name, upstream });

function sortedNames(nodes: readonly DagNode[]): string[] {
  const result = topoSort(nodes);
  if ('problem' in result) assert.fail(`expected an order, got ${JSON.stringify(result.problem)}`);
  return result.order.map((n) => n.name);
}

function problemOf(nodes: readonly DagNode[]) {
  const result = topoSort(nodes);
  if (!('problem' in result)) assert.fail(`expected a problem, got ${result.order.map((n) => n.name).join(', ')}`);
  return result.problem;
}

describe('topoSort', () => {
  it('keeps the written order of independent blocks', () => {
    assert.deepEqual(sortedNames([node('c'), node('a'), node('b')]), ['c', 'a', 'b']);
  });

  it('puts every upstream before the blocks that read it', () => {
    assert.deepEqual(sortedNames([node('report', 'clean'), node('clean', 'raw'), node('raw')]), ['raw', 'clean', 'report']);
  });

  it('moves an upstream only as far forward as it must', () => {
    assert.deepEqual(sortedNames([node('x'), node('y', 'z'), node('z'), node('w')]), ['x', 'z', 'y', 'w']);
  });

  it('runs a block that reads several upstreams after all of them', () => {
    const order = sortedNames([node('join', 'left', 'right'), node('right'), node('left')]);
    assert.deepEqual(order, ['left', 'right', 'join']);
  });

  it('returns the nodes themselves, not copies', () => {
    const a = node('a');
    const b = node('b', 'a');
    const result = topoSort([b, a]);
    assert.ok('order' in result);
    assert.equal(result.order[0], a);
    assert.equal(result.order[1], b);
  });

  it('accepts an empty graph', () => {
    assert.deepEqual(sortedNames([]), []);
  });

  it('reports a duplicate name with the index of its second use', () => {
    assert.deepEqual(problemOf([node('a'), node('b'), node('a')]), { kind: 'duplicate', name: 'a', index: 2 });
  });

  it('reports an unknown upstream with the index of the block and of the upstream entry', () => {
    assert.deepEqual(problemOf([node('a'), node('b', 'a', 'nope')]), {
      kind: 'unknown_upstream',
      name: 'b',
      upstream: 'nope',
      index: 1,
      upstreamIndex: 1,
    });
  });

  it('reports a duplicate before an unknown upstream', () => {
    assert.equal(problemOf([node('a', 'ghost'), node('a')]).kind, 'duplicate');
  });

  it('names the path of a cycle, closing it on its first block', () => {
    assert.deepEqual(problemOf([node('a', 'b'), node('b', 'c'), node('c', 'a')]), { kind: 'cycle', cycle: ['a', 'b', 'c', 'a'] });
  });

  it('leaves blocks outside a cycle out of its path', () => {
    assert.deepEqual(problemOf([node('start'), node('p', 'start', 'q'), node('q', 'p')]), { kind: 'cycle', cycle: ['p', 'q', 'p'] });
  });

  it('reports a block that reads itself as a cycle', () => {
    assert.deepEqual(problemOf([node('a'), node('self', 'self')]), { kind: 'cycle', cycle: ['self', 'self'] });
  });
});

describe('withDownstream and withUpstream', () => {
  // a -> b -> c, a -> d, e on its own; already in run order.
  const graph = [node('a'), node('b', 'a'), node('c', 'b'), node('d', 'a'), node('e')];
  const names = (nodes: readonly DagNode[]) => nodes.map((n) => n.name);

  it('selects a block and everything that reads it, directly or not', () => {
    assert.deepEqual(names(withDownstream(graph, ['a'])), ['a', 'b', 'c', 'd']);
  });

  it('selects only the downstream of a middle block', () => {
    assert.deepEqual(names(withDownstream(graph, ['b'])), ['b', 'c']);
  });

  it('selects a leaf alone when nothing reads it', () => {
    assert.deepEqual(names(withDownstream(graph, ['e'])), ['e']);
  });

  it('selects a block and everything it reads, in run order', () => {
    assert.deepEqual(names(withUpstream(graph, ['c'])), ['a', 'b', 'c']);
  });

  it('joins the upstreams of several roots without repeating a block', () => {
    assert.deepEqual(names(withUpstream(graph, ['c', 'd', 'e'])), ['a', 'b', 'c', 'd', 'e']);
  });

  it('selects nothing for a name that is not in the graph', () => {
    assert.deepEqual(names(withUpstream(graph, ['missing'])), []);
    assert.deepEqual(names(withDownstream(graph, ['missing'])), []);
  });
});
