import type { Pipeline } from '../pipeline/pipeline.ts';
import { blockId, type LineageGraph } from './lineage-graph.ts';

/** Which columns hold personal data, per lineage node (block or dataset id). */
export type PiiColumns = ReadonlyMap<string, ReadonlySet<string>>;

/** Whether a column name matches a project rule: a name or a `*` pattern, without regard to case. */
export function matchesPiiRule(column: string, rules: readonly string[]): boolean {
  return rules.some((rule) => new RegExp(`^${rule.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(column));
}

/**
 * The personal-data columns of every node of the graph: those a block marks
 * (`pii:`), those the project's rules name, and every column whose values come
 * from one of them, through SQL (`SELECT email AS contact`), joins, CTEs,
 * copies (loaders, exporters) and the tables blocks write and others read.
 */
export function piiColumns(graph: LineageGraph, pipelines: readonly Pipeline[], rules: readonly string[]): PiiColumns {
  const marked = new Map<string, Set<string>>();
  for (const pipeline of pipelines) {
    for (const block of pipeline.blocks) if (block.pii?.length) marked.set(blockId(pipeline.name, block.name), new Set(block.pii.map((c) => c.toLowerCase())));
  }
  const writers = new Map<string, string[]>();
  for (const edge of graph.edges) if (edge.from.startsWith('block:') && !edge.to.startsWith('block:')) writers.set(edge.to, [...(writers.get(edge.to) ?? []), edge.from]);
  const memo = new Map<string, boolean>();

  const isPii = (node: string, column: string, seen: Set<string>): boolean => {
    const key = `${node}\u0000${column.toLowerCase()}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    if (seen.has(key)) return false;
    seen.add(key);
    const lineage = graph.columns[node]?.find((c) => c.name.toLowerCase() === column.toLowerCase());
    const copied = graph.copies[node];
    const result =
      marked.get(node)?.has(column.toLowerCase()) === true ||
      matchesPiiRule(column, rules) ||
      (lineage && !lineage.opaque ? lineage.sources.some((s) => isPii(s.node, s.column, seen)) : false) ||
      (copied !== undefined && isPii(copied, column, seen)) ||
      (writers.get(node) ?? []).some((writer) => isPii(writer, column, seen));
    memo.set(key, result);
    return result;
  };

  const result = new Map<string, Set<string>>();
  const add = (node: string, column: string) => {
    if (isPii(node, column, new Set())) result.set(node, (result.get(node) ?? new Set()).add(column));
  };
  for (const [node, columns] of Object.entries(graph.columns)) for (const column of columns) add(node, column.name);
  for (const [node, columns] of marked) for (const column of columns) add(node, column);
  return result;
}
