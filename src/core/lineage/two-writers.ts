import { nodeLabel, type BlockNode, type DatasetNode, type LineageGraph } from './lineage-graph.ts';

/** A table more than one block writes, with every writer, or an owner declaration that names no writer. */
export interface TwoWritersWarning {
  readonly code: 'lineage.two_writers' | 'lineage.owner_not_a_writer';
  /** The dataset's id in the lineage graph. */
  readonly dataset: string;
  /** `CONNECTION.TABLE`, as `tables:` in sluice.yaml names it. */
  readonly table: string;
  /** The writing blocks as `PIPELINE.BLOCK`, sorted. */
  readonly writers: readonly string[];
  readonly message: string;
}

/** `tables:` of sluice.yaml: the owner of a table, a pipeline or `PIPELINE.BLOCK`. */
export type TableOwners = Readonly<Record<string, { readonly owner: string }>>;

/**
 * Tables two or more blocks write (in one pipeline or across pipelines):
 * the refunds story, where two forgotten pipelines compute one table. A table
 * with a declared owner is expected to have several writers and is not
 * reported, unless the owner writes it nowhere (a stale declaration).
 */
export function findTwoWriters(graph: LineageGraph, owners: TableOwners): TwoWritersWarning[] {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const writers = new Map<string, BlockNode[]>();
  for (const edge of graph.edges) {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (from?.kind !== 'block' || to?.kind !== 'dataset' || to.type !== 'table') continue;
    writers.set(to.id, [...(writers.get(to.id) ?? []), from]);
  }
  const ownerOf = new Map(Object.entries(owners).map(([table, { owner }]) => [table.toLowerCase(), owner]));
  const warnings: TwoWritersWarning[] = [];
  for (const [id, blocks] of writers) {
    const dataset = byId.get(id) as DatasetNode;
    const table = nodeLabel(dataset);
    const names = blocks.map((block) => nodeLabel(block)).sort();
    const owner = ownerOf.get(table);
    if (owner !== undefined) {
      if (!blocks.some((block) => block.pipeline === owner || nodeLabel(block) === owner)) {
        warnings.push({ code: 'lineage.owner_not_a_writer', dataset: id, table, writers: names, message: `sluice.yaml names ${owner} the owner of ${table}, but ${owner} does not write it (written by ${names.join(', ')})` });
      }
      continue;
    }
    if (blocks.length < 2) continue;
    const pipelines = new Set(blocks.map((block) => block.pipeline));
    const across = pipelines.size > 1 ? `${pipelines.size} pipelines` : `${blocks.length} blocks of ${blocks[0]!.pipeline}`;
    warnings.push({
      code: 'lineage.two_writers',
      dataset: id,
      table,
      writers: names,
      message: `${table} is written by ${across}: ${names.join(' and ')}; if that is intended, name its owner under tables: in sluice.yaml`,
    });
  }
  const written = new Set([...writers.keys()].map((id) => nodeLabel(byId.get(id)!).toLowerCase()));
  for (const [table, owner] of ownerOf) {
    if (written.has(table)) continue;
    warnings.push({ code: 'lineage.owner_not_a_writer', dataset: `table:${table}`, table, writers: [], message: `sluice.yaml names ${owner} the owner of ${table}, which no pipeline writes` });
  }
  return warnings.sort((a, b) => a.table.localeCompare(b.table));
}
