import type { SerializedError } from '@sluice/api';

// The shapes of GET /api/lineage (docs/api.md).

export interface LineageDataset {
  readonly kind: 'dataset';
  readonly id: string;
  readonly type: 'table' | 'file' | 'api';
  readonly namespace: string;
  readonly name: string;
}

export interface LineageBlock {
  readonly kind: 'block';
  readonly id: string;
  readonly pipeline: string;
  readonly block: string;
  readonly role: string;
  readonly language: string;
  readonly file: string;
  readonly line?: number;
}

export type LineageNode = LineageDataset | LineageBlock;

export interface LineageWarning {
  readonly code: string;
  readonly dataset: string;
  readonly table: string;
  readonly writers: readonly string[];
  readonly message: string;
}

export interface LineageData {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly columns: Readonly<Record<string, readonly { readonly name: string; readonly sources: readonly { readonly node: string; readonly column: string }[] }[]>>;
  readonly notes: readonly { readonly node: string; readonly message: string }[];
  readonly warnings: readonly LineageWarning[];
  readonly unloaded: readonly { readonly pipeline: string; readonly error: SerializedError }[];
}

/** How a person reads a node, as the CLI prints it. */
export function lineageLabel(node: LineageNode): string {
  if (node.kind === 'block') return `${node.pipeline}.${node.block}`;
  if (node.type === 'table') return `${node.namespace}.${node.name}`;
  return node.type === 'api' ? `${node.namespace}:${node.name}` : node.name;
}
