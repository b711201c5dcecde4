import type { LineageData } from './lineage-types.ts';

/**
 * The ids of a node and everything upstream and downstream of it: the part
 * of the graph a person asks about when they pick one table.
 */
export function focusLineage(data: Pick<LineageData, 'edges'>, start: string): Set<string> {
  const kept = new Set([start]);
  for (const [from, to] of [['from', 'to'], ['to', 'from']] as const) {
    const next = new Map<string, string[]>();
    for (const edge of data.edges) next.set(edge[from], [...(next.get(edge[from]) ?? []), edge[to]]);
    const queue = [start];
    const seen = new Set([start]);
    while (queue.length) {
      for (const id of next.get(queue.pop()!) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        kept.add(id);
        queue.push(id);
      }
    }
  }
  return kept;
}
