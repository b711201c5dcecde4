import type { LineageAnswer } from '@sluice/api';

// The shapes of GET /api/lineage (docs/api.md), as the server declares them.
export type LineageData = LineageAnswer;
export type LineageNode = LineageData['nodes'][number];
export type LineageDataset = Extract<LineageNode, { kind: 'dataset' }>;
export type LineageBlock = Extract<LineageNode, { kind: 'block' }>;
export type LineageWarning = LineageData['warnings'][number];

/** How a person reads a node, as the CLI prints it. */
export function lineageLabel(node: LineageNode): string {
  if (node.kind === 'block') return `${node.pipeline}.${node.block}`;
  if (node.type === 'table') return `${node.namespace}.${node.name}`;
  return node.type === 'api' ? `${node.namespace}:${node.name}` : node.name;
}
