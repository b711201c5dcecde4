/** A node of the pipeline graph: a block and the blocks it reads. */
export interface DagNode {
  readonly name: string;
  readonly upstream: readonly string[];
}

export type DagProblem =
  | { readonly kind: 'duplicate'; readonly name: string; readonly index: number }
  | { readonly kind: 'unknown_upstream'; readonly name: string; readonly upstream: string; readonly index: number; readonly upstreamIndex: number }
  | { readonly kind: 'cycle'; readonly cycle: readonly string[] };

/**
 * Orders nodes so every node comes after its upstreams, keeping the written
 * order where the graph allows it (so runs are predictable), or returns the
 * first problem found: a duplicate name, an unknown upstream or a cycle.
 */
export function topoSort<N extends DagNode>(nodes: readonly N[]): { order: N[] } | { problem: DagProblem } {
  const byName = new Map<string, N>();
  for (const [index, node] of nodes.entries()) {
    if (byName.has(node.name)) return { problem: { kind: 'duplicate', name: node.name, index } };
    byName.set(node.name, node);
  }
  for (const [index, node] of nodes.entries()) {
    for (const [upIndex, up] of node.upstream.entries()) {
      if (!byName.has(up)) return { problem: { kind: 'unknown_upstream', name: node.name, upstream: up, index, upstreamIndex: upIndex } };
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const order: N[] = [];
  const stack: string[] = [];
  const visit = (node: N): readonly string[] | undefined => {
    const seen = state.get(node.name);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(node.name)), node.name];
    state.set(node.name, 'visiting');
    stack.push(node.name);
    for (const up of node.upstream) {
      const cycle = visit(byName.get(up)!);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node.name, 'done');
    order.push(node);
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node);
    if (cycle) return { problem: { kind: 'cycle', cycle } };
  }
  return { order };
}

/** The named nodes and everything downstream of them, in the given order. */
export function withDownstream<N extends DagNode>(ordered: readonly N[], roots: readonly string[]): N[] {
  const selected = new Set(roots);
  for (const node of ordered) {
    if (node.upstream.some((up) => selected.has(up))) selected.add(node.name);
  }
  return ordered.filter((node) => selected.has(node.name));
}

/** The named nodes and everything upstream of them, in the given order. */
export function withUpstream<N extends DagNode>(ordered: readonly N[], roots: readonly string[]): N[] {
  const byName = new Map(ordered.map((n) => [n.name, n]));
  const selected = new Set<string>();
  const add = (name: string): void => {
    if (selected.has(name)) return;
    selected.add(name);
    for (const up of byName.get(name)?.upstream ?? []) add(up);
  };
  roots.forEach(add);
  return ordered.filter((node) => selected.has(node.name));
}
