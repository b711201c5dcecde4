import { nodeLabel, type LineageGraph, type LineageNode } from './lineage-graph.ts';

/** One step of a trace: a node and what feeds it (upstream) or what it feeds (downstream). */
export interface TraceStep {
  readonly node: LineageNode;
  readonly next: readonly TraceStep[];
  /** Already shown earlier in the trace; its own steps are not repeated. */
  readonly repeated?: boolean | undefined;
}

export type TraceDirection = 'upstream' | 'downstream';

/**
 * The datasets a name means: `CONNECTION.TABLE`, a table's name alone (in any
 * connection, with or without its schema), or a file path.
 */
export function findDatasets(graph: LineageGraph, name: string): LineageNode[] {
  const wanted = name.toLowerCase();
  return graph.nodes.filter((node) => {
    if (node.kind !== 'dataset') return false;
    if (nodeLabel(node).toLowerCase() === wanted || node.name.toLowerCase() === wanted) return true;
    return node.type === 'table' && node.name.split('.').pop() === wanted;
  });
}

/** Everything upstream or downstream of a node, across pipelines, as a tree; a node met twice is shown once. */
export function traceLineage(graph: LineageGraph, start: string, direction: TraceDirection): TraceStep[] {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const [from, to] = direction === 'upstream' ? [edge.to, edge.from] : [edge.from, edge.to];
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const seen = new Set<string>([start]);
  const walk = (id: string): TraceStep[] =>
    (next.get(id) ?? []).flatMap((nextId) => {
      const node = byId.get(nextId);
      if (!node) return [];
      if (seen.has(nextId)) return [{ node, next: [], repeated: true }];
      seen.add(nextId);
      return [{ node, next: walk(nextId) }];
    });
  return walk(start);
}

/** A column where its values start: a dataset's column, or a block output's column whose derivation is not known (TypeScript). */
export interface ColumnOrigin {
  readonly node: string;
  readonly column: string;
}

/**
 * Follows a column of a node's output through the blocks that computed or
 * copied it to where its values start. A column computed from no column (a
 * constant, a count) has no origins.
 */
export function columnOrigins(graph: LineageGraph, node: string, column: string, seen = new Set<string>()): ColumnOrigin[] {
  const key = `${node}\u0000${column}`;
  if (seen.has(key)) return [];
  seen.add(key);
  const known = graph.columns[node]?.find((c) => c.name === column);
  const copied = graph.copies[node];
  let origins: ColumnOrigin[];
  if (known && !known.opaque) origins = known.sources.flatMap((source) => columnOrigins(graph, source.node, source.column, seen));
  else if (copied !== undefined) origins = columnOrigins(graph, copied, column, seen);
  else origins = [{ node, column }];
  return [...new Map(origins.map((o) => [`${o.node}\u0000${o.column}`, o])).values()];
}
