import type { BlockLanguage } from '../pipeline/pipeline.ts';
import type { BlockRole } from '../pipeline/pipeline-schema.ts';

/** Something data lives in outside a run: a table of a connection, a file, an API path. */
export type DatasetType = 'table' | 'file' | 'api';

export interface DatasetNode {
  readonly kind: 'dataset';
  /** `table:CONNECTION.TABLE`, `file:PATH` or `api:CONNECTION/PATH`. */
  readonly id: string;
  readonly type: DatasetType;
  /** The connection that holds it; empty for a file. */
  readonly namespace: string;
  /** The table (as written, lower case) or the path. */
  readonly name: string;
}

export interface BlockNode {
  readonly kind: 'block';
  /** `block:PIPELINE/BLOCK`. */
  readonly id: string;
  readonly pipeline: string;
  readonly block: string;
  readonly role: BlockRole;
  readonly language: BlockLanguage;
  /** Where the block is declared. */
  readonly file: string;
  readonly line?: number | undefined;
}

export type LineageNode = DatasetNode | BlockNode;

/**
 * Data flows from `from` to `to`: a block reads a dataset, writes one, or
 * hands its output to a downstream block.
 */
export interface LineageEdge {
  readonly from: string;
  readonly to: string;
}

/** A column of a block's output and the columns (of datasets or upstream outputs) its values come from. */
export interface ColumnLineage {
  readonly name: string;
  readonly sources: readonly { readonly node: string; readonly column: string }[];
  /** Known only by name (a stored output of TypeScript code): where its values come from is not known. */
  readonly opaque?: true | undefined;
}

/** What lineage could not work out for a block, said plainly. */
export interface LineageNote {
  readonly node: string;
  readonly message: string;
}

/** Everything the project's files say about where data comes from and goes to, across pipelines. */
export interface LineageGraph {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
  /** Per block id, its output columns where they are known. */
  readonly columns: Readonly<Record<string, readonly ColumnLineage[]>>;
  /** Blocks that pass their one input on unchanged (loaders, exporters, streams): block id -> the input's node id. */
  readonly copies: Readonly<Record<string, string>>;
  readonly notes: readonly LineageNote[];
}

export const blockId = (pipeline: string, block: string) => `block:${pipeline}/${block}`;

export function tableDataset(connection: string, table: string): DatasetNode {
  const name = table.toLowerCase();
  return { kind: 'dataset', id: `table:${connection}.${name}`, type: 'table', namespace: connection, name };
}

export function fileDataset(file: string): DatasetNode {
  return { kind: 'dataset', id: `file:${file}`, type: 'file', namespace: '', name: file };
}

export function apiDataset(connection: string, address: string): DatasetNode {
  return { kind: 'dataset', id: `api:${connection}/${address.replace(/^\/+/, '')}`, type: 'api', namespace: connection, name: address };
}

/** How a person reads a node: `warehouse.sales`, `data/sales.csv`, `daily_sales.clean_sales`. */
export function nodeLabel(node: LineageNode): string {
  if (node.kind === 'block') return `${node.pipeline}.${node.block}`;
  switch (node.type) {
    case 'table':
      return `${node.namespace}.${node.name}`;
    case 'file':
      return node.name;
    case 'api':
      return `${node.namespace}:${node.name}`;
  }
}
